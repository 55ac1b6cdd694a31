#pragma once
// The participation core: the contract every action runs through (DESIGN.md, "The participation
// core"). Participation x_i in {0,1} is monotone within an action. Each round a non-participant
// joins if any enabled channel fires:
//   threshold  U_i = base_i + w_n * n_i >= theta_i, with n_i = S_i / deg_i (fraction) or S_i
//              (count), S_i = sum_j tau_ij x_j (the trust-weighted neighbour sum);
//   contagion  each participating neighbour j converts i with probability beta * tau_ij
//              ("once": only last round's joiners try; "every_round": all participants try);
//   broadcast  once per step, reached with probability r, then joins with probability c.
// The work is proportional to what changes: S is updated by scattering the rows of the agents
// who joined (a sparse product restricted to the changed columns), and after a step's first
// round only neighbours of new participants are examined. On a complete graph (mean-field) no
// edges exist and n_i, the contagion pressure come from the global count of participants.
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "model/config.hpp"
#include "model/network.hpp"

namespace orgsim {

struct CascadeRules {
  ThresholdRule rule = ThresholdRule::fraction;
  float w_social = 1.0f;
  double contagion_probability = 0.0;
  Attempts attempts = Attempts::once;
  UpdateOrder update = UpdateOrder::synchronous;
  /// complete graph only: the trust on every tie.
  float complete_trust = 1.0f;
};

/// How a participant came to take part in the current action.
enum class JoinCause : std::uint8_t { none = 0, seed, broadcast, threshold, contagion };

struct RoundStats {
  std::int32_t rounds = 0;     // rounds run (a final round in which no one joined included)
  std::int64_t joined = 0;     // agents who joined during these rounds
  std::int64_t by_threshold = 0, by_contagion = 0;
};

class ParticipationCore {
 public:
  ParticipationCore(const Network& net, const CascadeRules& rules);

  /// Starts a new action: nobody participates.
  void reset();
  /// Adds a participant now (a seed or a broadcast convert); no-op if already in. Their ties
  /// count from the next round on.
  void join(std::int32_t i, JoinCause why = JoinCause::seed);
  /// Removes agent i (it left the workplace during a continuous action); call
  /// recompute_social() before the next rounds.
  void leave(std::int32_t i);
  /// S = A_tau x over every edge: the full sparse matrix-vector product (Eigen, CSR). Used when
  /// participation or trust changed outside the cascade (turnover during a continuous action).
  void recompute_social();

  /// The broadcast channel: each agent reached with probability `reach`, a reached
  /// non-participant joins with probability `conversion`. Draws one uniform per agent (reach),
  /// plus one per reached non-participant. Returns the number who joined.
  std::int64_t broadcast(double reach, double conversion, Rng& rng);

  /// Runs rounds until no one joins (max_rounds == 0) or max_rounds rounds. `base` is the part
  /// of U_i that does not depend on others this step; `theta` the thresholds. With
  /// `base_changed` false (a continuing action whose base, thresholds and trust are what they
  /// were at its previous rounds), the first round examines only the agents whose social sum
  /// changed since, like every later round: the rest were examined with the same values.
  RoundStats run_rounds(const float* base, const float* theta, std::int32_t max_rounds, Rng& rng,
                        bool base_changed = true);

  /// A private decision (a secret ballot): every agent, participants included, compares
  /// base_i + w_n n_i with theta_i, where n_i counts the current participants (the public
  /// supporters; pending ties are applied first). Nobody sees anyone's answer, so there are no
  /// rounds and no contagion. Writes yes[i] in {0, 1} for every agent; returns how many said yes.
  /// Leaves the participants as they were.
  std::int64_t decide_privately(const float* base, const float* theta,
                                std::vector<std::uint8_t>& yes);
  std::int64_t participants() const noexcept { return count_; }
  const std::vector<std::uint8_t>& x() const noexcept { return x_; }
  /// Everyone who joined since reset(), in the order they joined (those who left included).
  const std::vector<std::int32_t>& joined_log() const noexcept { return log_; }
  /// Why each agent joined the current action (none for non-participants and those who left).
  const std::vector<JoinCause>& cause() const noexcept { return cause_; }
  /// S_i, the trust-weighted count of participating neighbours (tests, metrics).
  const std::vector<float>& social_sum() const noexcept { return s_; }

 private:
  float social_term(std::int32_t i) const noexcept;
  bool fires(std::int32_t i, const float* base, const float* theta) const noexcept;
  /// Applies pending joiners' ties to S (and the contagion exposure), listing their
  /// non-participating neighbours in `candidates_`. Returns how many were pending.
  std::int64_t propagate_pending();
  void apply_ties(std::int32_t j);
  /// The non-participants listed since the list was last emptied.
  struct Listed {
    const std::int32_t* b;
    const std::int32_t* e;
    const std::int32_t* begin() const noexcept { return b; }
    const std::int32_t* end() const noexcept { return e; }
  };
  Listed candidates() const noexcept { return {candidates_.data(), candidates_.data() + ncand_}; }
  RoundStats run_synchronous(const float* base, const float* theta, std::int32_t max_rounds,
                             Rng& rng, bool base_changed);
  RoundStats run_sequential(const float* base, const float* theta, std::int32_t max_rounds,
                            Rng& rng);

  const Network& net_;
  CascadeRules rules_;
  bool contagion_ = false;
  std::int32_t n_;
  std::vector<std::uint8_t> x_;      // participation
  std::vector<JoinCause> cause_;     // why each participant joined
  std::vector<float> s_;             // S_i
  std::vector<float> log_escape_;    // every_round: sum over participating j of log(1 - beta tau_ij)
  std::vector<float> once_escape_;   // once: same, over last round's joiners only (scratch)
  std::vector<std::uint8_t> mark_;   // scratch: candidate already listed
  std::vector<std::int32_t> pending_;     // joined, ties not yet applied
  std::vector<std::int32_t> candidates_;  // non-participants whose S changed: the first ncand_
  std::size_t ncand_ = 0;                 // (room for every agent plus one scratch slot)
  std::vector<std::int32_t> exposed_;     // every_round: non-participants with a participating neighbour
  std::vector<std::int32_t> joiners_;     // scratch
  std::vector<std::int32_t> log_;         // joined since reset()
  std::int64_t count_ = 0;
  std::int64_t seen_ = 0;        // complete graph: participants whose influence applies
  std::int64_t last_joined_ = 0; // complete graph: how many joined in the previous round
};

}  // namespace orgsim
