/// A decoding error as where in the data and why. Foundation's own text for one says only "the data isn't in the
/// correct format", which leaves whoever wrote the data (a model file, a checkpoint, a client's message) guessing.
public enum DecodingFailure {
    public static func describe(_ error: any Error) -> String {
        let context: DecodingError.Context
        switch error as? DecodingError {
        case .dataCorrupted(let c)?, .keyNotFound(_, let c)?, .typeMismatch(_, let c)?, .valueNotFound(_, let c)?: context = c
        default: return TextSanitizer.clean(error.localizedDescription)
        }
        let place = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        let why = context.underlyingError.map { "\(context.debugDescription) (\($0.localizedDescription))" } ?? context.debugDescription
        return (place.isEmpty ? "" : "at \(place.drop { $0 == "." }): ") + TextSanitizer.clean(why)
    }
}
