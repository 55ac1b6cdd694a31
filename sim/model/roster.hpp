#pragma once
// Your own workplace: a roster of people (name, department, shift, role, optional known leader)
// from which the acquaintance graph is generated, and an optional list of known friendships by
// name (docs/MODEL.md, "Network: roster"). Reading validates every line; errors name the CSV file
// and line (the loader adds the scenario file and the JSON path).
#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.hpp"

namespace orgsim {

struct Network;

/// The roles a roster may give (a label carried to the outputs; the model treats them alike).
inline constexpr const char* kRosterRoles[] = {"worker", "lead", "steward"};

struct Roster {
  std::vector<std::string> names;        // unique, in file order: person i is agent i
  std::vector<std::string> departments;  // per person
  std::vector<std::string> shifts;       // per person
  std::vector<std::string> roles;        // per person, one of kRosterRoles
  std::vector<std::uint8_t> leader;      // per person: 1 = known leader (starts as organizer)
  /// Department and shift of each person as indices (first appearance order).
  std::vector<std::int32_t> department_id, shift_id;
  std::vector<std::string> department_names, shift_names;
  /// Known friendships, pairs of person indices (u < v), each once.
  std::vector<std::pair<std::int32_t, std::int32_t>> friendships;

  std::int32_t size() const noexcept { return static_cast<std::int32_t>(names.size()); }
};

/// Reads the roster CSV: a header line naming the columns `name, department, shift, role` and
/// optionally `leader` (any order, case-insensitive), then one person per line. '#' comment
/// lines and blank lines are skipped; a UTF-8 byte-order mark and CRLF line ends are accepted.
/// Rejects: a missing or unknown column, a line with the wrong number of fields, an empty name,
/// department or shift, a name given twice, a role not in kRosterRoles, a leader value other
/// than yes/no (also true/false, 1/0, empty = no), quoted fields, binary data, an empty roster.
Roster read_roster(std::istream& in, const std::string& file);
/// The same from a file (`shown`: the name used in messages).
Roster read_roster_file(const std::string& path, const std::string& shown);

/// Reads known friendships (`name_a,name_b` per line; the first line is a header when neither
/// field is on the roster and both begin with "name", "person" or "friend", e.g.
/// `name_a,name_b`) into `roster.friendships`. Rejects unknown names, a person befriending
/// themselves, a pair given twice (either order), a wrong number of fields.
void read_friendships(std::istream& in, const std::string& file, Roster& roster);
void read_friendships_file(const std::string& path, const std::string& shown, Roster& roster);

/// Tie chances between two people of the roster (network.roster_same_shift, _other_shift and
/// _across of the parameter table, filled by make_config; the zeros here are not its defaults).
struct RosterTieChances {
  double same_shift = 0.0;   // same department, same shift
  double other_shift = 0.0;  // same department, other shift
  double across = 0.0;       // different departments
};

/// The acquaintance graph of a roster: each pair of people is tied independently with the
/// chance for their pair's kind (same department and shift / same department, other shift /
/// different departments), drawing one uniform per pair in the order (0,1), (0,2), ..., (1,2),
/// ... from `rng` (the network stream); known friendships are always tied and carry trust
/// `friendship_trust` (every other tie's trust is left NaN for the model to draw). O(n^2) time.
Network roster_network(const Roster& roster, const RosterTieChances& chances,
                       double friendship_trust, Rng& rng);

}  // namespace orgsim
