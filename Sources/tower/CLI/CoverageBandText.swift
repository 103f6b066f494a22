import Foundation
import TowerCore

extension ETAEvaluation.Band {
    /// The band's coverage with its legs and how far from 80% chance alone puts a band of that many legs, as
    /// `tower eta eval` and `tower bench eta` print it: "72.0% (107, ±7.6 by chance)".
    var coverageText: String {
        String(format: "%.1f%% (%d, ±%.1f by chance)", coverage * 100, legs, samplingHalfWidth * 100)
    }
}
