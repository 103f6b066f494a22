import Foundation
import Testing
@testable import TowerCore

@Suite struct InstanceReaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ name: String) -> String { root.appendingPathComponent("bench/\(name)").path }

    static let small = """
    TINY\r
    \r
    VEHICLE\r
    NUMBER     CAPACITY\r
      3         20\r
    \r
    CUSTOMER\r
    CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r
     \r
        0      0          0          0          0        100          0\r
        1      3          4          5          0         50          1\r
        2      6          8          5         10         60          1\r
        3     -3         -4         15          0         80          1\r
    """

    @Test func readsSolomonWithCRLF() throws {
        let instance = try InstanceReader.solomon(text: Self.small, file: "tiny.txt")
        #expect(instance.customerCount == 3)
        #expect(instance.capacity == 20 && instance.maxVehicles == 3)
        #expect(instance.distance(0, 1) == 5)
        #expect(instance.distance(1, 2) == 5)
        let r101 = try InstanceReader.read(path: Self.path("solomon/R101.txt"), format: nil)
        #expect(r101.customerCount == 100 && r101.capacity == 200 && r101.maxVehicles == 25)
    }

    @Test(arguments: [
        ("    2      6          8          5         10         60\r", "line 12: expected 7 numbers"),
        ("    2      6          8         55         10         60          1\r", "customer 2 demands 55, more than the vehicle capacity 20"),
        ("    2     90         90          5         10         60          1\r", "customer 2 cannot be reached before its window closes (60)"),
        ("    2      6          8          5         70         60          1\r", "line 12: customer 2: window opens at 70 after it closes at 60"),
        // Numbers past what an Int holds crashed the reader as it made them whole.
        ("    9223372036854775807      6          8          5         10         60          1\r", "line 12: customer number 9.223372036854776e+18 repeated, not whole or past 1,000,000"),
        ("    2      6          8          1e19         10         60          1\r", "line 12: customer 2: demand must be a whole number from 0 to 1,000,000"),
    ])
    func namesTheLineOrCustomerOfABrokenInstance(line: String, message: String) {
        let broken = Self.small.replacingOccurrences(of: "    2      6          8          5         10         60          1\r", with: line)
        do {
            _ = try InstanceReader.solomon(text: broken, file: "tiny.txt")
            Issue.record("accepted a broken instance")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func readsLoggi() throws {
        let instance = try InstanceReader.read(path: Self.path("loggi/cvrp-0-rj-0.json"), format: nil)
        #expect(instance.customerCount == 221)
        #expect(instance.capacity == 180)
        #expect(instance.objective == .distance)
        #expect(instance.distance(0, 1) > 5 && instance.distance(0, 1) < 30)  // kilometres across Rio
    }
}

@Suite struct SolverTests {
    static func solve(_ name: String, iterations: Int, seed: UInt64 = 1) throws -> (VRPInstance, VRPSolution) {
        let instance = try InstanceReader.read(path: InstanceReaderTests.path(name), format: nil)
        var solver = RuinRecreateSolver(instance: instance, settings: .init(seed: seed, timeLimit: nil, iterations: iterations))
        return (instance, try solver.solve())
    }

    @Test(arguments: ["solomon/C101.txt", "solomon/R101.txt", "solomon/RC105.txt", "solomon/R205.txt", "loggi/cvrp-0-rj-3.json"])
    func solutionsPassTheIndependentChecker(name: String) throws {
        let (instance, solution) = try Self.solve(name, iterations: 1500)
        switch SolutionChecker.check(solution.routes, instance: instance) {
        case let .success(distance): #expect(abs(distance - solution.distance) < 1e-6)
        case let .failure(fault): Issue.record("\(name): \(fault)")
        }
        #expect(solution.vehicles <= instance.maxVehicles)
    }

    @Test func findsTheKnownOptimumOfAnEasyInstance() throws {
        let (_, solution) = try Self.solve("solomon/C101.txt", iterations: 3000)
        #expect(solution.vehicles == 10)
        #expect(abs(solution.distance - 828.94) < 0.01)
    }

    @Test func isDeterministicForASeedAndIterationCount() throws {
        let first = try Self.solve("solomon/R105.txt", iterations: 800, seed: 7).1
        let second = try Self.solve("solomon/R105.txt", iterations: 800, seed: 7).1
        #expect(first.routes == second.routes)
        let other = try Self.solve("solomon/R105.txt", iterations: 800, seed: 8).1
        #expect(first.routes != other.routes || first.distance == other.distance)
    }

    @Test func theCheckerCatchesEveryKindOfFault() throws {
        // Customer 1's window closes at 12: reaching it after customer 2 (at 16) is late.
        let tight = InstanceReaderTests.small.replacingOccurrences(of: "5          0         50          1", with: "5          0         12          1")
        let instance = try InstanceReader.solomon(text: tight, file: "tiny.txt")
        #expect(throws: Never.self) { try SolutionChecker.check([[1, 2], [3]], instance: instance).get() }
        let faults: [([[Int]], String)] = [
            ([[1, 2]], "customer 3 is visited 0 times"),
            ([[1, 2, 3]], "carries 25, over the capacity 20"),
            ([[1, 2], [1, 3]], "customer 1 is visited 2 times"),
            ([[2, 1], [3]], "customer 1 served at"),
            ([[1, 2], []], "route 2 is empty"),
        ]
        for (routes, message) in faults {
            if case let .failure(error) = SolutionChecker.check(routes, instance: instance) {
                #expect("\(error)".contains(message), "\(error)")
            } else {
                Issue.record("accepted \(routes)")
            }
        }
    }
}
