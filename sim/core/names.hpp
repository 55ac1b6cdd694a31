#pragma once
// An enum's names, written once: a constexpr array of names in the enum's order, so that name i
// is the enumerator of value i. The enum's from-name and to-name functions and, for a choice
// parameter, the parameter table's `choices` all read that one array:
//
//   enum class Ballot { secret, open };
//   inline constexpr std::array kBallotNames = {"secret", "open"};
//   Ballot ballot_from_name(const std::string& n) {
//     return static_cast<Ballot>(name_index(kBallotNames, n, "ballot"));
//   }
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace orgsim {

/// The index of `name` in `names`. A name not among them throws std::invalid_argument
/// ("unknown <what> name '<name>'"): the scenario loader admits only the listed names, so an
/// unknown one reaching a from-name function is a programming error.
template <std::size_t N>
std::size_t name_index(const std::array<const char*, N>& names, const std::string& name,
                       const char* what) {
  for (std::size_t i = 0; i < N; ++i)
    if (name == names[i]) return i;
  throw std::invalid_argument(std::string("unknown ") + what + " name '" + name + "'");
}

}  // namespace orgsim
