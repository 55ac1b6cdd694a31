#pragma once
// Wins and their durability (DESIGN.md "Wins and durability"). A win is recorded when an
// action's power reaches the employer's resistance; from then on, every step, the employer pushes
// to roll it back and the workers who would turn out for it defend it. Every step a standing win
// is reversed with probability
//   h = background + hazard * max(0, 1 - D / (hold_fraction * strength))        (clamped to 1)
// The background term is the risk no defense removes (a new manager, a restructuring, a contract
// fight that goes badly); the gap term is the employer's push that a defense D short of
// hold_fraction * strength lets through (docs/MODEL.md "Wins and durability").
// Each win ends with its reversal or is censored at the end of the run.
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "core/rng.hpp"

namespace orgsim {

struct WinEvent {
  std::int32_t start_step = 0;
  std::int32_t end_step = -1;  // step of the reversal; -1 while standing / censored
  bool censored = true;        // still standing at the end of the run
  double strength = 0.0;       // power at the win
  /// Steps the win stood: end_step - start_step, or (steps - start_step) when censored.
  std::int32_t duration(std::int32_t steps) const noexcept {
    return censored ? steps - start_step : end_step - start_step;
  }
};

/// One action or election of a run (the /action_events table).
struct ActionEvent {
  std::int32_t step = 0;            // step the action ran (the vote, for an election)
  std::int8_t kind = 0;             // 0 action, 1 election
  double turnout = 0.0;             // share taking part (action) or casting a vote (election)
  double support = 0.0;             // share taking part (action) or of votes cast that are yes
  double cohesion = 0.0;            // mean trust on ties among the participants (yes-voters)
  double power = 0.0;               // P = T (floor + (1 - floor) C) of the participants
  bool won = false;
  std::int32_t notice_weeks = 0;    // weeks of counter-campaign before it
  std::int32_t consolidated_step = -1;  // election won: step of the first contract (-1: none)
};

/// wins.* of the parameter table (make_config fills them; the zeros here are not its defaults).
struct WinRules {
  double hold_fraction = 0.0;  // defense needed, as a share of the win's strength
  double hazard = 0.0;         // reversal probability per step with no defense at all
  double background = 0.0;     // reversal probability per step that no defense removes
};

class WinBook {
 public:
  explicit WinBook(WinRules rules) : rules_(rules) {}

  /// A new win at `step` with the given strength (power at the win).
  void record_win(std::int32_t step, double strength);

  /// One step of the employer's push against every standing win, given the organized base's
  /// defense now. Draws one uniform per standing win (in win order) from `rng`. Returns the number
  /// of wins reversed this step.
  std::int32_t push_back(std::int32_t step, double defense, Rng& rng);
  /// The same, asking `defense()` for the defense only if a win's fate depends on it: a draw
  /// below the win's hazard at full defense reverses it and a draw at or above its hazard with
  /// no defense keeps it, whatever the defense (the hazard falls as the defense grows). Same
  /// draws, same results as push_back(step, defense(), rng); `defense` is called at most once.
  std::int32_t push_back(std::int32_t step, const std::function<double()>& defense, Rng& rng);

  std::int32_t standing() const noexcept { return standing_; }
  std::int32_t wins() const noexcept { return static_cast<std::int32_t>(events_.size()); }
  std::int32_t reversals() const noexcept { return wins() - standing_; }
  const std::vector<WinEvent>& events() const noexcept { return events_; }

  /// Reversal probability this step for a win of `strength` under `defense`.
  double hazard(double strength, double defense) const noexcept;

 private:
  WinRules rules_;
  std::vector<WinEvent> events_;
  std::int32_t standing_ = 0;
};

/// Kaplan-Meier survival estimate from durations and event flags (event = reversal observed;
/// false = censored). Returns the distinct event times with S(t) and a 95% confidence interval
/// by Greenwood's formula on the log(-log S) scale (Kalbfleisch & Prentice 2002).
struct SurvivalCurve {
  std::vector<double> time;      // distinct reversal times, ascending
  std::vector<double> survival;  // S(t) just after each time
  std::vector<double> lower, upper;
  std::vector<std::int64_t> at_risk, events;
  /// Median survival time (first t with S(t) <= 0.5), or NaN if S never drops to 0.5.
  double median = std::numeric_limits<double>::quiet_NaN();
  /// S at `t` (step function, S = 1 before the first event).
  double at(double t) const noexcept;
};
SurvivalCurve kaplan_meier(const std::vector<double>& durations, const std::vector<bool>& event);

}  // namespace orgsim
