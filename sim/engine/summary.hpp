#pragma once
// The terminal summary: per arm, each summarized outcome's mean with a 95% confidence interval
// over replicates (Student t), and paired differences between each arm and the first (the
// replicates of two arms share populations, so the paired differences are tight).
#include <cstdint>
#include <string>
#include <vector>

#include "io/records.hpp"

namespace orgsim {

struct Estimate {
  double mean = 0, half_width = 0;  // 95% CI = mean +- half_width
  std::int64_t n = 0;               // finite values used
  std::int64_t of = 0;              // values given, finite or not (NaN: undefined in that run)
};

/// Mean and 95% CI of the finite values.
Estimate estimate(const std::vector<double>& values);

struct ArmSummary {
  std::string arm;
  std::vector<Estimate> outcomes;     // per summarized outcome
  std::vector<Estimate> differences;  // vs arm 0 (empty for arm 0)
};

struct Summary {
  std::vector<std::string> outcome_names;
  std::vector<ArmSummary> arms;
};

Summary summarize(const std::vector<RunRecord>& runs, const std::vector<std::string>& arm_names);

/// Win durability per arm: Kaplan-Meier over every win of the arm's runs (reversal = event,
/// still standing at the end = censored at the run's end).
std::vector<ArmDurability> durability_by_arm(const std::vector<RunRecord>& runs,
                                             const std::vector<std::string>& arm_names,
                                             std::int32_t steps);

/// The summary table; `durability` (may be empty) adds the win-durability block.
std::string format_summary(const Summary& s, const std::string& title,
                           const std::vector<ArmDurability>& durability = {});

}  // namespace orgsim
