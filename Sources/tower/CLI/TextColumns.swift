/// `text` padded to `width` columns for a plain-text table; a longer text keeps one space after it.
func column(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
