// The roster readers (network.type = roster): the input is a roster CSV, optionally followed by a
// NUL byte and a friendships CSV. read_roster must accept it whole or throw a typed error; an
// accepted roster is checked (names unique and non-empty, every per-person column the roster's
// size, department and shift ids consistent with their names, roles known), friendships are read
// against it and checked (pairs in range, u < v, each once), and for a small roster the
// acquaintance graph it generates is checked (symmetric sorted CSR, every friendship tied with
// its trust, no self-loops).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "core/rng.hpp"
#include "fuzz_common.hpp"
#include "model/network.hpp"
#include "model/roster.hpp"

using namespace orgsim;

namespace {

/// The acquaintance graph is O(n^2) to generate: only rosters up to this size are generated.
constexpr std::int32_t kMaxGraphPeople = 300;
constexpr double kFriendshipTrust = 0.75;

void require(bool ok, const char* what) {
  if (ok) return;
  std::cerr << "orgsim-fuzz: roster accepted but broken: " << what << "\n";
  std::abort();
}

void check_roster(const Roster& r) {
  const auto n = static_cast<std::size_t>(r.size());
  require(n > 0, "empty roster accepted");
  require(r.departments.size() == n && r.shifts.size() == n && r.roles.size() == n &&
              r.leader.size() == n && r.department_id.size() == n && r.shift_id.size() == n,
          "per-person column sizes");
  std::set<std::string> names;
  for (std::size_t i = 0; i < n; ++i) {
    require(!r.names[i].empty() && !r.departments[i].empty() && !r.shifts[i].empty(),
            "empty field");
    require(names.insert(r.names[i]).second, "duplicate name");
    const auto d = r.department_id[i], s = r.shift_id[i];
    require(d >= 0 && static_cast<std::size_t>(d) < r.department_names.size() &&
                r.department_names[static_cast<std::size_t>(d)] == r.departments[i],
            "department id");
    require(s >= 0 && static_cast<std::size_t>(s) < r.shift_names.size() &&
                r.shift_names[static_cast<std::size_t>(s)] == r.shifts[i],
            "shift id");
    bool known_role = false;
    for (const char* role : kRosterRoles) known_role = known_role || r.roles[i] == role;
    require(known_role, "unknown role");
    require(r.leader[i] <= 1, "leader flag");
  }
}

void check_friendships(const Roster& r) {
  std::set<std::pair<std::int32_t, std::int32_t>> seen;
  for (const auto& [u, v] : r.friendships) {
    require(u >= 0 && v < r.size() && u < v, "friendship pair");
    require(seen.insert({u, v}).second, "friendship twice");
  }
}

void check_graph(const Roster& r, const Network& net) {
  const std::int32_t n = r.size();
  require(net.n == n && !net.complete, "n");
  require(net.offsets.size() == static_cast<std::size_t>(n) + 1, "offsets size");
  require(net.neighbors.size() == net.trust.size(), "trust size");
  for (std::int32_t i = 0; i < n; ++i)
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const std::int32_t j = net.neighbors[e];
      require(j >= 0 && j < n && j != i, "neighbour id");
      require(e == net.offsets[i] || net.neighbors[e - 1] < j, "row sorted, no duplicates");
      require(net.find_entry(j, i) >= 0, "symmetric");
    }
  for (const auto& [u, v] : r.friendships) {
    const std::int64_t e = net.find_entry(u, v);
    require(e >= 0, "friendship not tied");
    require(net.trust[static_cast<std::size_t>(e)] == static_cast<float>(kFriendshipTrust),
            "friendship trust");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string roster_text = input.substr(0, nul);
  fuzz::expect_typed_errors("roster", [&] {
    std::istringstream in(roster_text);
    Roster roster = read_roster(in, "roster.csv");
    check_roster(roster);
    if (nul != std::string::npos) {
      std::istringstream fin(input.substr(nul + 1));
      read_friendships(fin, "friendships.csv", roster);
      check_friendships(roster);
    }
    if (roster.size() <= kMaxGraphPeople) {
      Rng rng(42);
      const Network net =
          roster_network(roster, RosterTieChances{0.5, 0.1, 0.02}, kFriendshipTrust, rng);
      check_graph(roster, net);
    }
  });
  return 0;
}
