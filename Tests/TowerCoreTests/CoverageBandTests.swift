import Testing
@testable import TowerCore

/// A band's coverage is read against what chance alone does to a band of its size (`ETAEvaluation.Band`).
@Suite struct CoverageBandTests {
    @Test func aSmallBandMayLandFarFromEightyByChanceALargeOneMayNot() {
        let small = ETAEvaluation.Band(label: "under 1 km", legs: 100, covered: 73)
        #expect(abs(small.samplingHalfWidth - 0.0784) < 0.0001, "1.96 × √(0.16 / 100)")
        #expect(!small.missesBeyondChance, "73% of 100 legs is within chance of 80%")
        #expect(ETAEvaluation.Band(label: "under 1 km", legs: 100, covered: 72).missesBeyondChance, "72% of 100 is not")
        let large = ETAEvaluation.Band(label: "4 km and more", legs: 2_500, covered: 1_920)
        #expect(abs(large.samplingHalfWidth - 0.01568) < 0.0001)
        #expect(large.missesBeyondChance, "76.8% of 2,500 legs: 3.2 points out where chance gives ±1.6")
    }

    @Test func withinThreePointsIsNeverAMissWhateverTheBandsSize() {
        for legs in [400, 2_000, 20_000] {
            let band = ETAEvaluation.Band(label: "1-2 km", legs: legs, covered: Int(0.775 * Double(legs)))
            #expect(!band.missesBeyondChance, "\(legs) legs at 77.5%")
        }
        #expect(ETAEvaluation.Band(label: "1-2 km", legs: 20_000, covered: 15_300).missesBeyondChance, "76.5% of 20,000")
        #expect(!ETAEvaluation.Band(label: "none", legs: 0, covered: 0).missesBeyondChance, "no legs, no verdict")
    }
}
