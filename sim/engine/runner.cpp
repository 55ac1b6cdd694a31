#include "engine/runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "core/errors.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"
#include "engine/simulation.hpp"
#include "engine/snapshot.hpp"
#include "io/outputs.hpp"
#include "model/network.hpp"
#include "model/population.hpp"

namespace orgsim {

// Runs allocate and free the same arrays again and again; by default glibc gives blocks above
// 128 KiB back to the kernel when they are freed (mmap for big blocks, trimming of the heap's
// top), so the next run pays a page fault for every 4 KiB page it touches again: at 10^5 agents
// that was more than half of a product-path run (bench/README.md, "The product path"). Blocks
// above 32 MiB (glibc's largest mmap threshold on 64-bit, an array of 4 million doubles) are
// still mapped fresh.
void keep_freed_memory() {
#if defined(__GLIBC__)
  static const bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    return true;
  }();
  (void)done;
#endif
}



RunPlan make_plan(const Scenario& sc) {
  RunPlan plan;
  plan.file = sc.file;
  for (std::size_t a = 0; a < sc.arms.size(); ++a) {
    plan.arm_names.push_back(sc.arms[a].name);
    plan.arms.push_back(make_config(sc.arm_params[a], sc.file, sc.dir));
    plan.networks.push_back(a < sc.arm_networks.size() ? sc.arm_networks[a] : nullptr);
  }
  // Study-level settings may not differ between arms: arms compare variants of one study.
  const auto& c0 = plan.arms.front();
  for (std::size_t a = 1; a < plan.arms.size(); ++a) {
    const auto& c = plan.arms[a];
    auto same = [&](bool eq, const char* key) {
      if (!eq)
        throw InputError(sc.file, "arms[" + std::to_string(a) + "].set." + key,
                         "the same value in every arm (arms share replicates and steps)",
                         "a different value in arm \"" + sc.arms[a].name + "\"");
    };
    same(c.steps == c0.steps, "steps");
    same(c.replicates == c0.replicates, "replicates");
    same(c.master_seed == c0.master_seed, "seed");
    same(c.snapshot_every == c0.snapshot_every, "output.snapshots");
  }
  plan.replicates = c0.replicates;
  plan.master_seed = c0.master_seed;
  plan.steps = c0.steps;
  plan.snapshot_every = c0.snapshot_every;
  return plan;
}

RunRecord run_one(const RunPlan& plan, std::int32_t arm, std::int64_t replicate,
                  const Network* prebuilt) {
  return run_one(plan, arm, replicate, prebuilt, StepObserver{});
}

RunRecord run_one(const RunPlan& plan, std::int32_t arm, std::int64_t replicate,
                  const Network* prebuilt, const StepObserver& after_step,
                  const StartObserver& before_first) {
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t rep_seed =
      replicate_seed(plan.master_seed, static_cast<std::uint64_t>(replicate));
  const auto a = static_cast<std::size_t>(arm);
  if (!prebuilt && a < plan.networks.size()) prebuilt = plan.networks[a].get();
  std::optional<Simulation> sim;
  try {
    sim.emplace(plan.arms[static_cast<std::size_t>(arm)], rep_seed, prebuilt);
  } catch (const InputError& e) {
    if (e.file().empty()) throw e.with_file(plan.file);  // a generator knows only the JSON path
    throw;
  }
  if (before_first) before_first(*sim);
  if (after_step) {
    for (std::int32_t t = 0; t < plan.steps; ++t) {
      sim->step();
      after_step(*sim);
    }
  } else {
    sim->run();
  }
  RunRecord r;
  r.arm = arm;
  r.replicate = static_cast<std::int32_t>(replicate);
  r.point = 0;
  r.run = static_cast<std::int64_t>(arm) * plan.replicates + replicate;
  r.seed = rep_seed;
  r.status = 1;
  r.per_step = sim->per_step_values();
  r.per_run = sim->per_run_values();
  r.wins = sim->wins().events();
  r.actions = sim->action_events();
  r.wall_seconds = std::chrono::duration<float>(std::chrono::steady_clock::now() - start).count();
  return r;
}

RunRecord run_with_snapshots(const RunPlan& plan, std::int32_t arm, std::int64_t replicate) {
  const ModelConfig& cfg = plan.arms[static_cast<std::size_t>(arm)];
  SnapshotOptions opt;
  opt.every = plan.snapshot_every;
  auto snaps = std::make_shared<Snapshots>();
  bool have_layout = false;
  std::int32_t t = 0;
  RunRecord r = run_one(plan, arm, replicate, nullptr, [&](const Simulation& sim) {
    if (!have_layout) {
      *snaps = snapshot_layout(sim, cfg, opt);
      have_layout = true;
    }
    if (snapshot_due(t, plan.steps, opt.every)) snaps->frames.push_back(take_frame(sim, cfg, *snaps, opt));
    ++t;
  });
  snaps->tie_index.clear();  // only needed while frames are taken
  r.snapshots = std::move(snaps);
  return r;
}

unsigned resolve_threads(unsigned requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? hw : 1;
}

std::vector<RunRecord> run_plan(const RunPlan& plan, unsigned threads, const Progress& progress) {
  const std::int64_t total = plan.total_runs();
  std::vector<RunRecord> out(static_cast<std::size_t>(total));
  // Edge lists were read once when the scenario was loaded; runs share them (read-only).
  std::atomic<std::int64_t> next{0}, done{0};
  std::exception_ptr error;
  std::mutex mu;
  std::condition_variable cv;
  auto worker = [&] {
    for (;;) {
      const std::int64_t k = next.fetch_add(1);
      if (k >= total) break;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (error) break;
      }
      try {
        const auto arm = static_cast<std::int32_t>(k / plan.replicates);
        out[static_cast<std::size_t>(k)] = plan.snapshot_every > 0
                                               ? run_with_snapshots(plan, arm, k % plan.replicates)
                                               : run_one(plan, arm, k % plan.replicates);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
      }
      done.fetch_add(1);
      cv.notify_one();
    }
  };
  const auto nt = static_cast<unsigned>(
      std::min<std::int64_t>(resolve_threads(threads), std::max<std::int64_t>(total, 1)));
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < nt; ++i) pool.emplace_back(worker);
  if (progress) {
    try {
      std::unique_lock<std::mutex> lock(mu);
      while (done.load() < total && !error) {
        cv.wait_for(lock, std::chrono::milliseconds(250));
        lock.unlock();
        progress(done.load(), total);
        lock.lock();
      }
    } catch (...) {
      // The caller stops the run (Ctrl-C): the workers start no further run; joined below, never
      // left joinable (std::terminate).
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
    }
  }
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
  if (progress) progress(total, total);
  return out;
}

double physical_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemTotal:") return kb * 1024.0;
  return 0.0;
}

unsigned threads_used(unsigned requested, long double runs) {
  const unsigned nt = resolve_threads(requested);
  if (runs < 1.0L) return 1;
  return runs < static_cast<long double>(nt) ? static_cast<unsigned>(runs) : nt;
}

ResourceEstimate estimate_resources(const ModelConfig& largest, long double runs,
                                    std::int64_t steps, unsigned threads,
                                    double held_bytes_per_run, double output_bytes_per_run) {
  ResourceEstimate e;
  e.runs = runs;
  e.steps = steps;
  e.threads = threads_used(threads, runs);
  // A run holds its agents and ties (estimate_run_bytes) and its per-step series (4-byte floats).
  const double series = static_cast<double>(steps) *
                        static_cast<double>(per_step_outputs().size()) * 4.0;
  e.per_run_bytes = estimate_run_bytes(largest) + series;
  e.held_bytes = static_cast<double>(runs) * held_bytes_per_run;
  e.memory_bytes = e.per_run_bytes * static_cast<double>(e.threads) + e.held_bytes;
  e.output_bytes = static_cast<double>(runs) * output_bytes_per_run;
  return e;
}

namespace {
template <class V>
constexpr double element_bytes() {
  return static_cast<double>(sizeof(typename V::value_type));
}
template <class A>
constexpr double scalar_bytes() {
  return static_cast<double>(sizeof(typename A::Scalar));
}
}  // namespace

RunFootprint run_footprint(const ModelConfig& cfg) {
  using P = Population;
  const PopulationArrays need = arrays_needed(cfg);
  auto when = [](bool held, double bytes) { return held ? bytes : 0.0; };
  // The agents' state: the arrays of Population this run holds (arrays_needed), one element
  // per agent.
  const double always =
      scalar_bytes<decltype(P::threshold)>() + scalar_bytes<decltype(P::grievance)>() +
      scalar_bytes<decltype(P::fear)>() + scalar_bytes<decltype(P::commitment)>() +
      element_bytes<decltype(P::role)>();
  const double campaign =
      scalar_bytes<decltype(P::leadership)>() + scalar_bytes<decltype(P::awareness)>() +
      scalar_bytes<decltype(P::staff_trust)>() +
      element_bytes<decltype(P::known)>() + element_bytes<decltype(P::evaluated)>() +
      element_bytes<decltype(P::training)>() + element_bytes<decltype(P::trained_step)>() +
      element_bytes<decltype(P::type)>() + element_bytes<decltype(P::task)>() +
      element_bytes<decltype(P::task_due)>() + element_bytes<decltype(P::task_asker)>() +
      element_bytes<decltype(P::task_nudges)>() + element_bytes<decltype(P::followed)>() +
      element_bytes<decltype(P::attention)>() + element_bytes<decltype(P::strain)>() +
      element_bytes<decltype(P::staff_public)>() + element_bytes<decltype(P::said_yes)>();
  const double population =
      always + when(need.campaign, campaign) +
      when(need.fatigue, scalar_bytes<decltype(P::fatigue)>()) +
      when(need.inoculation, scalar_bytes<decltype(P::inoculation)>()) +
      when(need.last_action, element_bytes<decltype(P::last_action)>()) +
      when(need.exposed_until, element_bytes<decltype(P::exposed_until)>()) +
      when(need.hired, element_bytes<decltype(P::hired)>()) +
      when(need.grievance_base, scalar_bytes<decltype(P::grievance_base)>()) +
      when(need.fear_base, scalar_bytes<decltype(P::fear_base)>());
  // The run's own per-agent buffers (private to Simulation and ParticipationCore, so counted by
  // their element types here): the utility base (float); the invitations' scratch and source
  // (float and 1 byte) when invitations count, the scratch also for embeddedness when
  // commitment decays; the continuing crowd's flags and, with a campaign, who its blasts
  // reached (1 byte each); the action's participation core (x, cause and mark, 1 byte each;
  // S, log-escape and once-escape, float each) and a second one for the defense when wins can
  // be pushed back or an election certified; the strong-tie components the recorder keeps
  // (StrongComponents: label, size, search stamp and pending count, one int32 each).
  const bool invitations = cfg.w_invitation > 0.0;
  const double core = 3.0 + 3.0 * sizeof(float);
  const bool defended = cfg.wins.hazard > 0.0 || cfg.kind == ActionKind::election;
  const double buffers = sizeof(float) +
                         when(invitations || cfg.decay.commitment > 0.0, sizeof(float)) +
                         when(invitations, 1.0) + 1.0 + when(need.campaign, 1.0) + core +
                         when(defended, core) + 4.0 * sizeof(std::int32_t);
  const double offsets = element_bytes<decltype(Network::offsets)>();
  // Per directed entry: neighbour id and trust, and the public-relationship count (kept once a
  // campaign's one-on-one reaches voice). The generator's tie list (at most a pair of ids per
  // tie, i.e. one id per entry) is freed when the graph is built, before the agents' arrays
  // exist: it raises the peak only when it is the larger (a dense graph).
  const double entry = element_bytes<decltype(Network::neighbors)>() +
                       element_bytes<decltype(Network::trust)>() +
                       when(need.campaign, element_bytes<decltype(Network::accountable)>());
  return {population + buffers + offsets, entry, element_bytes<decltype(Network::neighbors)>()};
}

double estimate_run_bytes(const ModelConfig& c) {
  const RunFootprint f = run_footprint(c);
  const double entries = expected_entries(c);
  return std::max(static_cast<double>(c.n) * f.per_agent, entries * f.build_per_entry) +
         entries * f.per_entry;
}

SnapshotBytes estimate_snapshot_bytes(const ModelConfig& c, std::int64_t steps,
                                      std::int32_t every) {
  SnapshotBytes b;
  if (every <= 0 || steps <= 0) return b;
  // Frames at steps 0, k, 2k, ... and the last step.
  const double frames = static_cast<double>((steps - 1) / every + 1) +
                        ((steps - 1) % every != 0 ? 1.0 : 0.0);
  const double n = c.n, ties = expected_entries(c) / 2.0;
  // In memory: a Frame holds 19 bytes per person and 4 per tie; the layout 4 per person and 8
  // per tie. In the file (uncompressed): rung, role, took_part 1 byte, commitment and
  // trust-weighted degree 4 per person; trust 4 per tie; department and endpoints once.
  b.held = frames * (19.0 * n + 4.0 * ties) + 4.0 * n + 8.0 * ties;
  b.output = frames * (11.0 * n + 4.0 * ties) + 4.0 * n + 8.0 * ties;
  return b;
}

namespace {
const ModelConfig& largest_arm(const RunPlan& plan) {
  std::size_t best = 0;
  for (std::size_t a = 1; a < plan.arms.size(); ++a)
    if (estimate_run_bytes(plan.arms[a]) > estimate_run_bytes(plan.arms[best])) best = a;
  return plan.arms[best];
}
}  // namespace

ResourceEstimate estimate_resources(const RunPlan& plan, unsigned threads) {
  const double series =
      static_cast<double>(plan.steps) * static_cast<double>(per_step_outputs().size()) * 4.0;
  const double outcomes = static_cast<double>(per_run_outputs().size()) * 8.0;
  const SnapshotBytes snap = estimate_snapshot_bytes(largest_arm(plan), plan.steps,
                                                     plan.snapshot_every);
  // `orgsim run` keeps every run's record (and its snapshots) until it writes the file.
  return estimate_resources(largest_arm(plan),
                            static_cast<long double>(plan.arms.size()) *
                                static_cast<long double>(plan.replicates),
                            plan.steps, threads, series + outcomes + snap.held,
                            series + outcomes + 64.0 + snap.output);
}

void check_resources(const ResourceEstimate& e, const ModelConfig& c, const std::string& file,
                     const std::string& size_key) {
  const double mem = physical_memory_bytes();
  if (mem > 0 && e.memory_bytes > 0.8 * mem) {
    // The estimate's terms: agent state and network of the largest run, per thread, and what is
    // held for every run until the file is written. Blame the dominant term(s): any within half
    // of the largest.
    const auto nt = static_cast<double>(e.threads);
    const RunFootprint f = run_footprint(c);
    const double agents = static_cast<double>(c.n) * f.per_agent * nt;
    const double network = expected_entries(c) * f.per_entry * nt;
    const double results = e.held_bytes;
    const std::string threads_text = std::to_string(e.threads) + " thread(s)";
    const std::string terms =
        "agents " + format_bytes(agents) + " (" + std::to_string(c.n) + " agents x " +
        threads_text + ") + network " + format_bytes(network) + " (about " +
        std::to_string(static_cast<long long>(expected_entries(c) / 2)) + " ties x " +
        threads_text + ") + results " + format_bytes(results) + " (" +
        std::to_string(e.steps) + " steps kept for " + format_count(e.runs) + " runs) = " +
        format_bytes(e.memory_bytes);
    const double top = std::max({agents, network, results});
    std::vector<std::string> keys, hints;
    // Agents and ties both grow with the population: it is named when either dominates.
    if (agents >= 0.5 * top || network >= 0.5 * top) {
      keys.push_back(size_key);
      hints.push_back("a smaller population.size or fewer --threads");
    }
    if (network >= 0.5 * top) {
      const std::string degree = c.network.type == NetworkType::edge_list ? "network.path"
                                 : c.network.type == NetworkType::roster ? "network.roster"
                                 : c.network.type == NetworkType::workplace
                                     ? "network.within_degree"
                                     : c.network.type == NetworkType::erdos_renyi
                                           ? "network.mean_degree"
                                           : c.network.type == NetworkType::barabasi_albert
                                                 ? "network.m"
                                                 : "network.degree";
      keys.push_back(degree);
      hints.push_back("fewer ties (" + degree + ") or fewer --threads");
    }
    if (results >= 0.5 * top) {
      keys.push_back("steps");
      keys.push_back("replicates");
      hints.push_back("fewer steps or replicates, or a sweep, which streams runs to disk");
      if (c.snapshot_every > 0) {
        keys.push_back("output.snapshots");
        hints.push_back("fewer snapshots (a larger output.snapshots, or 0)");
      }
    }
    std::string where, hint;
    for (std::size_t q = 0; q < keys.size(); ++q) where += (q ? ", " : "") + keys[q];
    for (std::size_t q = 0; q < hints.size(); ++q) hint += (q ? "; " : "") + hints[q];
    throw InputError(file, where,
                     "a study that fits in memory (" + format_bytes(0.8 * mem) + " usable of " +
                         format_bytes(mem) + ")",
                     terms, hint);
  }
}

void check_resources(const RunPlan& plan, const std::string& file, unsigned threads) {
  check_resources(estimate_resources(plan, threads), largest_arm(plan), file, "population.size");
}

}  // namespace orgsim
