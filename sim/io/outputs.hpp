#pragma once
// The output dictionary: the ONE list of every recorded quantity. It drives the recorder (the
// order of values in RunRecord), the HDF5 attributes (long_name, description, units) and
// docs/OUTPUTS.md.
#include <cstdint>
#include <string>
#include <vector>

namespace orgsim {

enum class OutputScope { per_step, per_run };
/// stock: a level at the end of the step (e.g. mean trust); flow: an amount during the step.
enum class OutputNature { stock, flow, outcome };

struct OutputVar {
  std::string name;       // HDF5 dataset / Python column name (snake_case)
  OutputScope scope;
  OutputNature nature;
  /// The `units` attribute: a UDUNITS-2 string (docs/HDF5_LAYOUT.md, "Units"): "1" for a share
  /// or a mean on a 0-1 scale, "count" for a number of things, "h", "week".
  std::string units;
  /// What `units` leaves unsaid, in words: what one unit of a count is ("agents", "wins"), or
  /// "win-weeks"; empty where `units` says it all ("1", "h"). Written as the `unit_words`
  /// attribute (not CF) for figures and the trainer's page.
  std::string unit_words;
  /// A short plain label (at most kLabelMaxChars): what xarray, figures and the trainer's page
  /// show as the quantity's name (the CF `long_name` attribute). No formulas, no parameter keys.
  std::string long_name;
  /// What exactly is counted, how, and under which parameters: the `description` attribute.
  std::string description;
  std::string when_undefined;  // what the value is when it does not apply (e.g. no action)
  bool summarize = false; // shown with a 95% CI in the terminal summary
  /// A level drawn afresh with each week from outside the workplace (the grievance climate): a
  /// stock by nature, but it has no value before the first week is drawn.
  bool drawn_each_week = false;
};

/// Whether the quantity has a value at week 0, before the first step (Simulation::
/// initial_values()): a stock of the workplace does; a flow (what happened during a week) and a
/// level drawn with each week do not.
inline bool measured_at_week0(const OutputVar& o) noexcept {
  return o.nature == OutputNature::stock && !o.drawn_each_week;
}

/// The longest a long_name may be: it must fit an axis label or a drop-down (a test checks it).
inline constexpr std::size_t kLabelMaxChars = 40;

const std::vector<OutputVar>& output_dictionary();
/// The per-step (resp. per-run) entries, in dictionary order.
const std::vector<OutputVar>& per_step_outputs();
const std::vector<OutputVar>& per_run_outputs();
/// Index of `name` in per_step_outputs() (resp. per_run_outputs()); throws std::logic_error.
std::size_t per_step_index(const std::string& name);
std::size_t per_run_index(const std::string& name);

/// The units as `orgsim outputs` shows them: "count (agents)", "1".
std::string units_text(const OutputVar& o);

/// docs/OUTPUTS.md, generated.
std::string outputs_markdown();

}  // namespace orgsim
