#pragma once
// The acquaintance graph: fixed topology for a run, stored as symmetric CSR with per-entry trust.
#include <cmath>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "model/roster.hpp"

namespace orgsim {

// In the order the parameter table lists them (workplace, the default, first); roster last.
enum class NetworkType { workplace, erdos_renyi, ring_lattice, watts_strogatz, barabasi_albert,
                         complete, edge_list, roster };
enum class RewireMethod { endpoint, swap };

/// Everything a generator needs, already validated by the scenario loader. The values come from
/// the parameter table (make_config); the zeros here are not defaults of the model.
struct NetworkSpec {
  NetworkType type{};
  double mean_degree = 0.0;       // erdos_renyi
  std::int32_t degree = 0;        // ring_lattice, watts_strogatz (even)
  double rewire = 0.0;            // ring_lattice, watts_strogatz, in [0,1]
  RewireMethod rewire_method{};   // ring_lattice
  std::int32_t m = 0;             // barabasi_albert: ties per new node
  std::int32_t departments = 0;   // workplace
  double within_degree = 0.0;     // workplace: mean ties inside one's department
  double between_degree = 0.0;    // workplace: mean ties to other departments
  std::string path;               // edge_list: absolute or relative to the working directory
  std::string path_for_errors;    // edge_list: as the user wrote it, for messages
  // roster: the people file and the optional friendships file (resolved / as written), the
  // tie chances, the trust of a known friendship, and the roster itself (read by make_config).
  std::string roster_path, roster_path_for_errors;
  std::string friendships_path, friendships_path_for_errors;
  RosterTieChances roster_chances{};
  double friendship_trust = 0.0;
  std::shared_ptr<const Roster> roster;
};

/// A tie is strong from this trust on (DESIGN.md "Metrics").
inline constexpr float kStrongTie = 0.5f;

/// A tie created during a run (organizers weaving the network), waiting to be merged into CSR.
struct NewTie {
  std::int32_t u = 0, v = 0;
  float trust = 0.0f;
};

/// Symmetric CSR: row i holds i's neighbours sorted ascending; no self-loops, no duplicates.
/// `trust[e]` is the trust on entry e (the tie seen from the row's agent); the twin entry (j,i)
/// always holds the same value. For `complete` (mean-field) no entries are stored.
struct Network {
  std::int32_t n = 0;
  bool complete = false;
  std::vector<std::int32_t> offsets;    // size n+1 (empty for complete)
  std::vector<std::int32_t> neighbors;  // size offsets[n]
  std::vector<float> trust;             // size offsets[n]; NaN = not given (filled by the model)
  /// Bumped by every write that moves a tie across kStrongTie (either way): the strong-tie
  /// graph can have changed only when this did.
  std::uint64_t strong_changes = 0;
  /// The ties that crossed kStrongTie (either way) since a reader last took the log (as
  /// strong_key(), once per crossing: a tie that crossed and crossed back appears twice), so
  /// that the strong-tie components can be
  /// updated without a pass over every tie (StrongComponents). The log holds at most
  /// strong_log_limit() keys: past that it is dropped and `strong_log_full` set (the reader then
  /// recomputes everything).
  std::vector<std::uint64_t> strong_log;
  bool strong_log_full = false;
  /// Per-entry public relationship (seed 000): how many one-on-ones at voice the tie has been
  /// through (capped at 255), the same on both entries; 0 = a private or casual tie. Its
  /// accountability is 1 - 2^-k. Empty until the first tie goes public (runs without
  /// one-on-ones never allocate it).
  std::vector<std::uint8_t> accountable;
  /// Ties created during the step (organizers' introductions), merged by merge_new_ties().
  std::vector<NewTie> new_ties;
  /// Bumped by every merge that changed the topology (entry indices are then invalid).
  std::uint64_t topology = 0;

  /// Sets both entries of a tie and notes whether it crossed the strong-tie line.
  void set_tie(std::int64_t entry, std::int64_t twin, float tau);
  /// Notes that the tie {i, j} crossed kStrongTie: bumps strong_changes and logs the tie.
  /// Writers of `trust` that bypass set_tie() call this exactly once per tie for every crossing
  /// (a pass over entries calls it from the row of the tie's lower end only): the log's reader
  /// counts a tie logged an even number of times as unchanged.
  void note_strong_flip(std::int32_t i, std::int32_t j);
  /// For a pass over entries, which sees each crossing from both of a tie's entries: call it
  /// for the entry (row, j); the tie is logged once, from its lower end's row.
  void note_entry_flip(std::int32_t row, std::int32_t j) {
    if (row < j) note_strong_flip(row, j);
  }
  std::size_t strong_log_limit() const noexcept {
    return 1024 + static_cast<std::size_t>(num_entries() / 64);
  }
  /// The key of the tie {i, j} in strong_log: (smaller id << 32) | larger id.
  static constexpr std::uint64_t strong_key(std::int32_t i, std::int32_t j) noexcept {
    const auto lo = static_cast<std::uint32_t>(i < j ? i : j);
    const auto hi = static_cast<std::uint32_t>(i < j ? j : i);
    return (static_cast<std::uint64_t>(lo) << 32) | hi;
  }

  std::int32_t degree(std::int32_t i) const noexcept {
    return complete ? n - 1 : offsets[i + 1] - offsets[i];
  }
  /// Directed entries (twice the number of ties); 0 for complete.
  std::int64_t num_entries() const noexcept { return complete ? 0 : offsets[n]; }
  /// Undirected ties (n(n-1)/2 for complete).
  std::int64_t num_ties() const noexcept {
    return complete ? std::int64_t(n) * (n - 1) / 2 : std::int64_t(offsets[n]) / 2;
  }
  /// Index of entry (i, j), or -1 when i and j are not tied. O(log degree).
  std::int64_t find_entry(std::int32_t i, std::int32_t j) const noexcept;

  /// Accountability of the tie at `entry`: 1 - 2^-k after k one-on-ones (0 for a private tie).
  double accountability(std::int64_t entry) const noexcept {
    if (entry < 0 || accountable.empty()) return 0.0;
    return 1.0 - std::ldexp(1.0, -static_cast<int>(accountable[static_cast<std::size_t>(entry)]));
  }
  std::uint8_t public_count(std::int64_t entry) const noexcept {
    return entry < 0 || accountable.empty() ? 0 : accountable[static_cast<std::size_t>(entry)];
  }
  /// One more one-on-one on the tie (both entries), or (`on` false) back to private.
  void set_accountable(std::int64_t entry, std::int64_t twin, bool on);

  /// Queues a new tie (u, v) at trust `tau` unless u == v, they are already tied or the tie is
  /// already queued. Returns true when queued. O(log degree + queued ties).
  bool add_tie(std::int32_t u, std::int32_t v, float tau);
  /// Merges the queued ties into CSR (rows stay sorted; trust and accountability follow their
  /// entries; a new tie at or above kStrongTie counts as a strong-line crossing) and returns how
  /// many were merged. In place: the arrays grow (with spare room, so rarely reallocate) and
  /// only the entries after the first row that gains a tie move, as blocks; the offsets take one
  /// pass over the agents. Nothing happens when none are queued.
  std::int64_t merge_new_ties();
};

/// The department of agent i: in a workplace graph the contiguous near-equal block the generator
/// draws it in; in a roster the person's department (first-appearance order); 0 for every other
/// graph type (one department).
std::int32_t department_of(const NetworkSpec& spec, std::int32_t n, std::int32_t i) noexcept;

/// Every check build_network() makes of `spec` for `n` agents before it draws (degrees within
/// range, departments that fit, a lattice that admits swaps, at most 2^31 - 1 tie entries), with
/// no draws and no graph built: the scenario loader runs it for each arm and design point, so an
/// impossible network is an input error before anything runs. Throws InputError naming
/// `network.<key>` (no file: the caller adds it).
void check_network_spec(const NetworkSpec& spec, std::int32_t n);

/// Builds the graph for `n` agents from `spec`, drawing only from `rng` (the network stream).
/// Time and memory O(n + m) for every generator. Throws InputError for an unreadable or
/// malformed edge list (naming the file and line) and for impossible specs.
Network build_network(const NetworkSpec& spec, std::int32_t n, Rng& rng);

/// Reads a CSV edge list `source,target[,trust]` (optional header line, '#' comments) for `n`
/// agents. Rejects self-loops, duplicate ties, ids outside [0, n), trust outside [0, 1].
Network read_edge_list(const std::string& path, const std::string& path_for_errors,
                       std::int32_t n);
/// The parser itself, reading from a stream; `file` names the source in error messages.
Network read_edge_list(std::istream& in, const std::string& file, std::int32_t n);

/// The department of agent i in a `workplace` graph of n agents and `departments` departments
/// (contiguous blocks; the first n % departments blocks are one agent larger).
std::int32_t workplace_department(std::int32_t n, std::int32_t departments, std::int32_t i) noexcept;

/// Builds CSR from an undirected tie list (u != v, no duplicates; checked by the callers).
Network csr_from_ties(std::int32_t n, const std::vector<std::pair<std::int32_t, std::int32_t>>& ties);

}  // namespace orgsim
