#pragma once
// Small text helpers shared by validation and the command line.
#include <string>
#include <string_view>
#include <vector>

namespace orgsim {

/// `s` without leading and trailing ASCII white space (space, \t, \r, \n, \f, \v).
std::string_view trim(std::string_view s) noexcept;

/// Splits `line` at every `sep` into `fields` (cleared first), each field trimmed; an empty line
/// gives one empty field, "a,," three. The views point into `line`.
void split_trimmed(std::string_view line, char sep, std::vector<std::string_view>& fields);

/// The offset of the first byte of `s` that does not begin a well-formed UTF-8 sequence (a stray
/// continuation byte, a truncated or overlong sequence, a surrogate, a code point above
/// U+10FFFF); npos if `s` is all UTF-8. NUL and other ASCII control characters are valid UTF-8.
std::size_t first_invalid_utf8(std::string_view s) noexcept;

/// `s` with every byte that is not part of well-formed UTF-8 written as \xHH, so that a message
/// quoting text of unknown origin is itself UTF-8.
std::string escape_invalid_utf8(std::string_view s);

/// Levenshtein edit distance.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest candidate to `word` if it is a plausible typo (distance <= max(2, |word|/3)),
/// else empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// "a, b or c"
std::string join_or(const std::vector<std::string>& items);

/// Human-readable byte count ("1.5 GiB").
std::string format_bytes(double bytes);
/// A count that may exceed 64 bits (plans are counted in long double): exact digits below 10^15,
/// else three significant digits ("1e+19").
std::string format_count(long double n);
/// The largest 64-bit value as the parameter table holds it (the seed's bound): the double
/// 2^64, the nearest to 18446744073709551615.
inline constexpr double kLargestUint64 = 18446744073709551615.0;
/// An integral bound held in a double, written exactly ("2147483647", not "2.14748e+09");
/// kLargestUint64 is written as the value it stands for, 18446744073709551615.
std::string integer_text(double x);
/// A mean and the half-width of its interval, both to the half-width's second significant digit
/// and never in exponent form: "0.41 ± 0.10", "1106 ± 110", "0.0008 ± 0.0027". A half-width of 0
/// gives "2.5 ± 0"; a non-finite one gives the mean alone, to four significant digits ("0.4092",
/// "1106", "0"). Never "-0".
std::string estimate_text(double mean, double half_width);
/// A duration for people: "12 s", "4.5 min", "2.3 h", "3.1 days", "2.4e+03 years".
std::string format_duration(double seconds);

}  // namespace orgsim
