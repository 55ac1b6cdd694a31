#pragma once
// Small text helpers shared by validation and the command line.
#include <string>
#include <string_view>
#include <vector>

namespace orgsim {

/// Levenshtein edit distance.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest candidate to `word` if it is a plausible typo (distance <= max(2, |word|/3)),
/// else empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// "a, b or c"
std::string join_or(const std::vector<std::string>& items);

/// Human-readable byte count ("1.5 GiB").
std::string format_bytes(double bytes);

}  // namespace orgsim
