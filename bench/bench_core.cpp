// Benchmark of the participation core on the workload researchers use to compare tools:
// Watts's rule on an Erdos-Renyi graph (mean degree 10, phi = 0.18, 1% random seeds, 100
// synchronous rounds). Prints one JSON line per measurement (see bench/README.md).
//
//   bench_core core N [reps]      time graph generation, initialisation and the rounds at N agents
//   bench_core fullpass N [reps]  one full pass over every edge: Eigen sparse product vs plain loop
//   bench_core runs N R           R whole runs through the runner, 1 thread and all threads
//   bench_core product N R        the product path: bench/watts_product.json (the same Watts
//                                 workload as a scenario file: a continuous action, one round per
//                                 step, 100 steps) through the runner `orgsim run` calls, R runs
//                                 on 1 thread; graph + init + steps per run
//   bench_core model N T [S [K=V ...]]
//                                 the full organizing step vs the bare participation core on the
//                                 default scenario's workplace scaled to N agents, T steps, an
//                                 action every step in both; S: one strategy only (profiling;
//                                 "all" for every one), then parameters to set in every run
//                                 (e.g. output.component_every=4; a key given here replaces the
//                                 bench's own: actions.* the action every step, campaign.* the
//                                 organizers). Each run prints its actions and mean turnout; in
//                                 the stress case each strategy is also compared with a matched
//                                 bare step: strategy none, the same seeds, thresholds lowered
//                                 until its crowd is as large (vs_matched_bare)
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fstream>

#include "engine/runner.hpp"
#include "engine/simulation.hpp"
#include "io/outputs.hpp"
#include "io/scenario.hpp"
#include "model/participation.hpp"
#include "model/population.hpp"

using namespace orgsim;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
double peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) * 1024.0;
}
/// The benchmark workload: Watts's rule on G(n, p), mean degree 10, 1% seeds, 100 rounds, on the
/// classic base (the same population and network as bench/watts_product.json).
RunPlan watts_plan(std::int32_t n, std::int64_t replicates) {
  const std::string text = R"({"name": "bench", "extends": "classic", "steps": 1, "replicates": )" +
                           std::to_string(replicates) + R"(, "seed": 1,
    "population": {"size": )" + std::to_string(n) + R"(,
                   "threshold": {"distribution": "constant", "value": 0.18}},
    "network": {"type": "erdos_renyi", "mean_degree": 10},
    "participation": {"threshold_rule": "fraction", "rounds": 100},
    "actions": {"seed": {"fraction": 0.01}}})";
  return make_plan(scenario_from_json(nlohmann::json::parse(text), "bench", ".", text));
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_core core|fullpass|runs N [reps|R]\n");
    return 2;
  }
  keep_freed_memory();  // as `orgsim` does
  const std::string mode = argv[1];
  const auto n = static_cast<std::int32_t>(std::atol(argv[2]));
  const int reps = argc > 3 ? std::atoi(argv[3]) : 5;
  const ModelConfig cfg = watts_plan(n, 1).arms[0];

  if (mode == "core") {
    double t_graph = 0, t_init = 0, t_rounds = 0, participants = 0, entries = 0, rounds = 0;
    for (int r = 0; r < reps; ++r) {
      const std::uint64_t rs = replicate_seed(1, static_cast<std::uint64_t>(r));
      auto t0 = Clock::now();
      Rng net_rng(rs, Stream::network);
      Network net = build_network(cfg.network, n, net_rng);
      t_graph += seconds_since(t0);

      t0 = Clock::now();
      Rng trust_rng(rs, Stream::trust), pop_rng(rs, Stream::population), seed_rng(rs, Stream::seeds);
      draw_initial_trust(net, cfg.trust_initial, trust_rng);
      Population pop = draw_population(cfg, pop_rng);
      CascadeRules rules;
      rules.rule = ThresholdRule::fraction;
      ParticipationCore core(net, rules);
      std::vector<float> base(static_cast<std::size_t>(n), 0.0f);
      const auto k = static_cast<std::int64_t>(0.01 * n);
      for (std::int64_t j = 0; j < k; ++j)
        core.join(static_cast<std::int32_t>(seed_rng.below(static_cast<std::uint64_t>(n))));
      t_init += seconds_since(t0);

      t0 = Clock::now();
      Rng prng(rs, Stream::participation);
      const RoundStats st = core.run_rounds(base.data(), pop.threshold.data(), 100, prng);
      t_rounds += seconds_since(t0);
      participants += static_cast<double>(core.participants());
      entries += static_cast<double>(net.num_entries());
      rounds += st.rounds;
    }
    const double R = reps;
    std::printf(
        "{\"mode\": \"core\", \"agents\": %d, \"reps\": %d, \"graph_s\": %.5f, \"init_s\": %.5f, "
        "\"rounds_s\": %.5f, \"total_s\": %.5f, \"rounds_run\": %.1f, \"final_share\": %.4f, "
        "\"agent_rounds_per_s\": %.4g, \"entries\": %.0f, \"peak_rss_bytes\": %.0f, "
        "\"rss_per_agent_plus_entry_model\": \"see README\"}\n",
        n, reps, t_graph / R, t_init / R, t_rounds / R, (t_graph + t_init + t_rounds) / R,
        rounds / R, participants / R / n, n * 100.0 / (t_rounds / R), entries / R,
        peak_rss_bytes());
  } else if (mode == "fullpass") {
    Rng net_rng(replicate_seed(1, 0), Stream::network);
    Network net = build_network(cfg.network, n, net_rng);
    Rng trust_rng(replicate_seed(1, 0), Stream::trust);
    draw_initial_trust(net, cfg.trust_initial, trust_rng);
    CascadeRules rules;
    ParticipationCore core(net, rules);
    Rng pick(9);
    for (std::int32_t i = 0; i < n / 2; ++i)
      core.join(static_cast<std::int32_t>(pick.below(static_cast<std::uint64_t>(n))));
    // Eigen sparse product (the engine's kernel).
    double best_eigen = 1e9, best_plain = 1e9;
    std::vector<float> x(static_cast<std::size_t>(n)), s(static_cast<std::size_t>(n));
    for (std::int32_t i = 0; i < n; ++i) x[i] = core.x()[i] ? 1.0f : 0.0f;
    double checksum = 0;
    for (int r = 0; r < reps; ++r) {
      auto t0 = Clock::now();
      core.recompute_social();
      best_eigen = std::min(best_eigen, seconds_since(t0));
      t0 = Clock::now();
      const std::int32_t* off = net.offsets.data();
      const std::int32_t* nb = net.neighbors.data();
      const float* tr = net.trust.data();
      for (std::int32_t i = 0; i < n; ++i) {
        float acc = 0.0f;
        for (std::int32_t e = off[i]; e < off[i + 1]; ++e) acc += tr[e] * x[nb[e]];
        s[i] = acc;
      }
      best_plain = std::min(best_plain, seconds_since(t0));
      checksum += s[static_cast<std::size_t>(r % n)] + core.social_sum()[static_cast<std::size_t>(r % n)];
    }
    const double m = static_cast<double>(net.num_entries());
    std::printf(
        "{\"mode\": \"fullpass\", \"agents\": %d, \"entries\": %.0f, \"engine_s\": %.6f, "
        "\"plain_loop_s\": %.6f, \"ratio\": %.3f, \"engine_entries_per_s\": %.4g, "
        "\"plain_entries_per_s\": %.4g, \"checksum\": %.1f}\n",
        n, m, best_eigen, best_plain, best_eigen / best_plain, m / best_eigen, m / best_plain,
        checksum);
  } else if (mode == "model") {
    std::ifstream in(std::string(ORGSIM_SOURCE_DIR) + "/scenarios/default.json");
    nlohmann::json doc = nlohmann::json::parse(in);
    doc.erase("arms");
    const std::string departments = std::to_string(std::max(1, n / 30));
    const char* phases[] = {"environment", "organizing", "actions", "wins", "decay", "record"};
    const std::string only = argc > 4 && std::string(argv[4]) != "all" ? argv[4] : "";
    const std::vector<std::string> extra(argv + std::min(argc, 5), argv + argc);
    // Whether a run of `KEY=VALUE`s sets `key`.
    auto sets_key = [](auto first, auto last, const std::string& key) {
      return std::any_of(first, last, [&](const std::string& kv) {
        return kv.compare(0, kv.find('='), key) == 0;
      });
    };
    auto given = [&](const std::string& key) { return sets_key(extra.begin(), extra.end(), key); };
    // The stress case: an action every step from 1% seeds, unless the command line sets the
    // action's keys itself (e.g. `actions.policy=null actions.seed={"rung": "member"}`, each
    // strategy's own policy as the default scenario runs it).
    const bool stress =
        !given("actions.policy") && !given("actions.every") && !given("actions.seed");
    struct Timed {
      double per_step = 0, turnout = 0;
      std::size_t actions = 0;
      std::array<double, 6> phases{};
    };
    // One run of T steps on the default scenario's workplace scaled to N agents.
    auto run = [&](const std::string& strategy, const std::string& seed,
                   const std::vector<std::string>& more = {}) {
      // Staff hours scale with the workplace (15 h per 300 workers) so the campaign's reach per
      // worker matches the default scenario.
      std::vector<std::string> defaults = {
          "population.size=" + std::to_string(n),
          "network.departments=" + departments,
          "steps=" + std::to_string(reps),
          "campaign.strategy=" + strategy,
          "campaign.staff_organizers=" + std::to_string(std::max(1, n / 300)),
          "campaign.worker_organizers=" + std::to_string(std::max(1, n / 300))};
      if (stress)
        for (const std::string& kv : std::vector<std::string>{
                 "actions.policy=schedule", "actions.every=1", "actions.seed=" + seed})
          defaults.push_back(kv);
      // Later layers replace earlier ones key by key: the bench's settings, then the command
      // line's, then the matched run's own (a key repeated within one layer stays an error).
      std::vector<std::string> sets = more;
      const std::array<const std::vector<std::string>*, 2> layers = {&extra, &defaults};
      for (const auto* layer : layers) {
        const auto above = static_cast<std::ptrdiff_t>(sets.size());
        for (const std::string& kv : *layer)
          if (!sets_key(sets.begin(), sets.begin() + above, kv.substr(0, kv.find('='))))
            sets.push_back(kv);
      }
      const RunPlan plan =
          make_plan(scenario_from_json(doc, "default.json", ".", doc.dump(), sets));
      Simulation sim(plan.arms[0], replicate_seed(1, 0));
      const auto t0 = Clock::now();
      sim.run();
      Timed r;
      r.per_step = seconds_since(t0) / reps;
      // How much collective action the steps carried: the actions called and their mean turnout
      // (the crowd's share of the workplace), which the action and wins phases scale with.
      for (const auto& ev : sim.action_events()) r.turnout += ev.turnout;
      r.actions = sim.action_events().size();
      if (r.actions > 0) r.turnout /= static_cast<double>(r.actions);
      for (int k = 0; k < 6; ++k)
        r.phases[static_cast<std::size_t>(k)] =
            sim.phase_seconds()[static_cast<std::size_t>(k)] / reps;
      return r;
    };
    auto fraction_seed = [](double f) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "{\"fraction\": %.6f}", f);
      return std::string(buf);
    };
    auto print = [&](const char* strategy, const Timed& r, const std::string& ratios) {
      std::printf(
          "{\"mode\": \"model\", \"agents\": %d, \"steps\": %d, \"strategy\": \"%s\", "
          "\"seconds_per_step\": %.5f, %s\"actions\": %zu, \"mean_turnout\": %.4f, "
          "\"phases_s_per_step\": {",
          n, reps, strategy, r.per_step, ratios.c_str(), r.actions, r.turnout);
      for (int k = 0; k < 6; ++k)
        std::printf("%s\"%s\": %.5f", k ? ", " : "", phases[k],
                    r.phases[static_cast<std::size_t>(k)]);
      std::printf("}}\n");
      std::fflush(stdout);
    };
    double core_per_step = 0;
    for (const char* strategy : {"none", "relationship_first", "big_messaging"}) {
      if (!only.empty() && only != strategy) continue;
      const Timed r = run(strategy, fraction_seed(0.01));
      if (std::string(strategy) == "none") core_per_step = r.per_step;
      std::string ratios =
          "\"vs_core\": " +
          (core_per_step > 0 ? std::to_string(r.per_step / core_per_step) : std::string("null")) +
          ", ";
      if (stress && std::string(strategy) != "none" && r.actions > 0) {
        // The same collective action without a campaign: the bare step whose action, every
        // step from the same 1% seeds, draws the crowd this strategy drew, by lowering the
        // workers' thresholds (population.threshold.mean, by bisection; the crowd grows as the
        // mean falls). The strategy's step is then compared with a bare step that carries as much
        // collective action: what the campaign adds beyond the size of its crowds. A cascade can
        // jump with a small change, so the closest mean tried is kept.
        auto bare_at = [&](double mean) {
          return run("none", fraction_seed(0.01),
                     {"population.threshold.mean=" + std::to_string(mean)});
        };
        double lo = -0.3, hi = 0.35, mean = 0.5 * (lo + hi), best = mean;
        Timed bare = bare_at(mean);
        double best_gap = std::abs(bare.turnout - r.turnout);
        for (int it = 0; it < 16 && best_gap > 0.005; ++it) {
          if (bare.turnout > r.turnout)
            lo = mean;
          else
            hi = mean;
          mean = 0.5 * (lo + hi);
          bare = bare_at(mean);
          if (std::abs(bare.turnout - r.turnout) < best_gap) {
            best_gap = std::abs(bare.turnout - r.turnout);
            best = mean;
          }
        }
        // Timed again now that the search has settled (the first runs warm the caches).
        bare = bare_at(best);
        ratios += "\"vs_matched_bare\": " + std::to_string(r.per_step / bare.per_step) +
                  ", \"matched_bare\": {\"threshold_mean\": " + std::to_string(best) +
                  ", \"seconds_per_step\": " + std::to_string(bare.per_step) +
                  ", \"mean_turnout\": " + std::to_string(bare.turnout) + "}, ";
      }
      print(strategy, r, ratios);
    }
  } else if (mode == "product") {
    const Scenario sc = load_scenario(std::string(ORGSIM_SOURCE_DIR) + "/bench/watts_product.json",
                                      {"population.size=" + std::to_string(n),
                                       "replicates=" + std::to_string(reps)});
    const RunPlan plan = make_plan(sc);
    run_plan(plan, 1);  // warm-up (page faults, allocator)
    const auto t0 = Clock::now();
    const auto records = run_plan(plan, 1);
    const double s = seconds_since(t0);
    double turnout = 0;
    for (const auto& r : records) turnout += r.per_run[per_run_index("final_turnout")];
    std::printf("{\"mode\": \"product\", \"agents\": %d, \"runs\": %d, \"threads\": 1, "
                "\"seconds_per_run\": %.5f, \"final_share\": %.4f, \"peak_rss_bytes\": %.0f}\n",
                n, reps, s / reps, turnout / reps, peak_rss_bytes());
  } else if (mode == "runs") {
    const RunPlan plan = watts_plan(n, reps);
    for (unsigned threads : {1u, 0u}) {
      const auto t0 = Clock::now();
      run_plan(plan, threads);
      const double s = seconds_since(t0);
      std::printf("{\"mode\": \"runs\", \"agents\": %d, \"runs\": %d, \"threads\": %u, "
                  "\"seconds\": %.4f, \"runs_per_s\": %.4g}\n",
                  n, reps, resolve_threads(threads), s, reps / s);
    }
  }
  return 0;
}
