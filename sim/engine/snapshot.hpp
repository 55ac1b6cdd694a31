#pragma once
// Snapshots: the state of every person and every tie every k steps, for pictures of one
// workplace unfolding (the browser view, docs/WEB.md; a results-file writer can store the same
// frames as /agents and /networks, OUTPUT_LAYOUT.md). Off unless asked: a run without an
// observer never calls anything here, and taking a frame only reads the simulation.
//
// Layout: what does not change during a run (departments, the ties' endpoints) is kept once in
// Snapshots; each Frame holds per-person arrays (agent order) and per-tie trust in the order of
// Snapshots::tie_i/tie_j: the ties of the start (i < j, in CSR order, the order
// draw_initial_trust visits ties), then the ties organizers created (docs/MODEL.md 7.2b), each
// appended the first frame it exists. Ties are never removed, so a tie keeps its index, and a
// frame's tie_trust covers the first tie_trust.size() ties: those that existed at its step.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "model/config.hpp"

namespace orgsim {

class Simulation;

/// Ladder rungs as stored in a frame (0 unengaged .. 3 leader): the cut points of count_rungs.
enum class Rung : std::int8_t { unengaged = 0, supporter = 1, member = 2, leader = 3 };

struct SnapshotOptions {
  std::int32_t every = 0;  // a frame after every k-th step (0: no snapshots)
  bool ties = true;        // store each tie's trust in every frame
};

/// One person-and-tie picture, taken after step `step` (0-based) was completed.
struct Frame {
  std::int32_t step = 0;
  std::vector<std::int8_t> rung;          // Rung, from commitment and the ladder's cut points
  std::vector<float> commitment;          // c_i
  std::vector<float> trust_degree;        // sum of trust over i's ties
  std::vector<float> staff_trust;         // trust in the staff organizers
  std::vector<std::uint8_t> role;         // Role: 0 member, 1 worker-organizer
  std::vector<std::uint8_t> took_part;    // 1 if i took part in this step's action
  std::vector<std::int32_t> last_action;  // last step i took part in an action (-1: never)
  std::vector<float> tie_trust;           // per tie existing at this step (Snapshots::tie_i/tie_j
                                          // order, a prefix of them); empty if !ties
};

struct Snapshots {
  std::int32_t every = 0;
  std::int32_t staff_organizers = 0;      // staff organizers are not agents: only their count
  std::vector<std::int32_t> department;   // per agent (workplace: its block; other graphs: 0)
  std::vector<std::int32_t> tie_i, tie_j; // every tie once, i < j; grows with created ties
  std::vector<Frame> frames;
  /// (i << 32 | j) -> index into tie_i/tie_j; built the first time the graph has grown.
  std::unordered_map<std::uint64_t, std::int32_t> tie_index;
};

/// Whether a frame is due after step t (0-based) of a `steps`-step run: every `every`-th step
/// from step 0, and the last step.
bool snapshot_due(std::int32_t t, std::int32_t steps, std::int32_t every) noexcept;

/// The fixed part (departments, ties) of `sim`'s run.
Snapshots snapshot_layout(const Simulation& sim, const ModelConfig& cfg,
                          const SnapshotOptions& opt);

/// The frame of the step `sim` has just completed. Ties created since the last frame are
/// appended to `layout`'s tie list.
Frame take_frame(const Simulation& sim, const ModelConfig& cfg, Snapshots& layout,
                 const SnapshotOptions& opt);

}  // namespace orgsim
