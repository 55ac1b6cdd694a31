// Snapshots (engine/snapshot.hpp): frames agree with the per-step outputs of the same step,
// observing does not change the run, and the schedule is every k-th step plus the last. Also the
// scenario files' optional teaching notes ("discussion", "try") that the browser page shows.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "core/errors.hpp"
#include "engine/runner.hpp"
#include "engine/simulation.hpp"
#include "engine/snapshot.hpp"
#include "helpers.hpp"

using namespace orgsim;
using test::series;

namespace {
struct Observed {
  RunRecord record;
  Snapshots snaps;
};
Observed observe(const RunPlan& plan, std::int32_t arm, std::int32_t every, bool ties = true) {
  Observed o;
  const SnapshotOptions opt{every, ties};
  const ModelConfig& cfg = plan.arms[static_cast<std::size_t>(arm)];
  o.record = run_one(plan, arm, 0, nullptr, [&](const Simulation& sim) {
    if (o.snaps.department.empty()) o.snaps = snapshot_layout(sim, cfg, opt);
    if (snapshot_due(sim.current_step() - 1, plan.steps, every))
      o.snaps.frames.push_back(take_frame(sim, cfg, o.snaps, opt));
  });
  return o;
}
}  // namespace

TEST_CASE("snapshots: the schedule is every k-th step from step 0, and the last step", "[snapshot]") {
  CHECK(snapshot_due(0, 10, 4));
  CHECK_FALSE(snapshot_due(1, 10, 4));
  CHECK(snapshot_due(8, 10, 4));
  CHECK(snapshot_due(9, 10, 4));  // the last step
  CHECK_FALSE(snapshot_due(5, 10, 0));  // off
  CHECK_FALSE(snapshot_due(9, 10, 0));
}

TEST_CASE("snapshots: frames agree with the same step's outputs and observing changes nothing",
          "[snapshot]") {
  const RunPlan plan = test::plan_for("scenarios/default.json");
  const std::int32_t T = plan.steps;
  for (std::int32_t arm = 0; arm < 2; ++arm) {
    const Observed o = observe(plan, arm, 1);
    const RunRecord plain = run_one(plan, arm, 0);
    REQUIRE(o.record.per_step.size() == plain.per_step.size());
    for (std::size_t k = 0; k < plain.per_step.size(); ++k) {
      const float a = o.record.per_step[k], b = plain.per_step[k];
      REQUIRE(((std::isnan(a) && std::isnan(b)) || a == b));
    }
    REQUIRE(o.snaps.frames.size() == static_cast<std::size_t>(T));
    const auto n = static_cast<double>(plan.arms[0].n);
    const auto base = series(o.record, "organized_base", T);
    const auto turnout = series(o.record, "turnout", T);
    const auto trust = series(o.record, "trust_mean", T);
    const auto workers = series(o.record, "organizers_worker", T);
    const auto leaders = series(o.record, "rung_leader", T);
    std::int32_t actions = 0;
    std::size_t ties_before = 0;
    for (const Frame& f : o.snaps.frames) {
      const auto t = static_cast<std::size_t>(f.step);
      double organized = 0, took = 0, wo = 0, lead = 0, deg = 0, tie_sum = 0;
      for (std::size_t i = 0; i < f.rung.size(); ++i) {
        organized += (f.rung[i] >= static_cast<std::int8_t>(Rung::member) || f.role[i] == 1) ? 1 : 0;
        took += f.took_part[i];
        wo += f.role[i];
        lead += f.rung[i] == static_cast<std::int8_t>(Rung::leader) ? 1 : 0;
        deg += f.trust_degree[i];
        REQUIRE(f.took_part[i] == (f.last_action[i] == f.step ? 1 : 0));
      }
      for (float tau : f.tie_trust) tie_sum += tau;
      CHECK(organized / n == Approx(base[t]).epsilon(1e-6));
      CHECK(wo == Approx(workers[t]));
      CHECK(lead == Approx(leaders[t]));
      // Ties organizers create are appended: a frame covers those existing at its step.
      REQUIRE(f.tie_trust.size() <= o.snaps.tie_i.size());
      REQUIRE(f.tie_trust.size() >= ties_before);
      ties_before = f.tie_trust.size();
      CHECK(tie_sum / static_cast<double>(f.tie_trust.size()) == Approx(trust[t]).epsilon(1e-4));
      CHECK(deg == Approx(2 * tie_sum).epsilon(1e-4));  // every tie counted from both ends
      if (!std::isnan(turnout[t])) {
        ++actions;
        CHECK(took / n == Approx(turnout[t]).epsilon(1e-6));
      } else {
        CHECK(took == 0);
      }
    }
    CHECK(actions > 0);  // both arms act in the default scenario: the turnout check ran
    // The last frame covers every tie; relationship-first weaves new ones (docs/MODEL.md 7.2b).
    CHECK(o.snaps.frames.back().tie_trust.size() == o.snaps.tie_i.size());
    if (plan.arm_names[static_cast<std::size_t>(arm)] == "relationship_first")
      CHECK(o.snaps.frames.back().tie_trust.size() > o.snaps.frames.front().tie_trust.size());
    for (std::size_t k = 0; k < o.snaps.tie_i.size(); ++k)
      REQUIRE(o.snaps.tie_i[k] < o.snaps.tie_j[k]);
    // departments: ten contiguous blocks of 30
    CHECK(o.snaps.department.front() == 0);
    CHECK(o.snaps.department.back() == 9);
    CHECK(o.snaps.department[29] == 0);
    CHECK(o.snaps.department[30] == 1);
  }
}

TEST_CASE("snapshots: every k steps, and without ties when not asked", "[snapshot]") {
  const RunPlan plan = test::plan_for("scenarios/default.json", {"steps=30"});
  const Observed o = observe(plan, 0, 7, false);
  std::vector<std::int32_t> steps;
  for (const auto& f : o.snaps.frames) {
    steps.push_back(f.step);
    CHECK(f.tie_trust.empty());
    CHECK(f.rung.size() == 300);
  }
  CHECK(steps == std::vector<std::int32_t>{0, 7, 14, 21, 28, 29});
  CHECK(!o.snaps.tie_i.empty());  // the topology is still there
}

TEST_CASE(
    "scenario notes: title, discussion and try are kept from the file, checked, not inherited",
    "[scenario][snapshot]") {
  nlohmann::json doc = {{"name", "notes"},
                        {"steps", 2},
                        {"discussion", {"Why?", "Who?"}},
                        {"try", {"Raise turnover."}}};
  const Scenario sc = scenario_from_json(doc, "notes.json", ".", doc.dump());
  CHECK(sc.discussion == std::vector<std::string>{"Why?", "Who?"});
  CHECK(sc.try_this == std::vector<TryThis>{{"Raise turnover.", nlohmann::json::object()}});
  for (const auto& [bad, path] :
       std::vector<std::pair<nlohmann::json, std::string>>{{"a string", "discussion"},
                                                           {nlohmann::json::array({"ok", ""}), "discussion[1]"},
                                                           {nlohmann::json::array({3}), "try[0]"}}) {
    nlohmann::json d = doc;
    d[path.substr(0, path.find_first_of("[")) == "try" ? "try" : "discussion"] = bad;
    try {
      (void)scenario_from_json(d, "notes.json", ".", d.dump());
      FAIL("accepted " << bad.dump());
    } catch (const InputError& e) {
      CHECK(e.file() == "notes.json");
      CHECK(e.where() == path);
    }
  }
  // A thing to try may carry the values that try it: checked as --set values are, on the
  // scenario as resolved, and named by their place in the file.
  nlohmann::json with_set = doc;
  with_set["try"] = nlohmann::json::array(
      {"In words only.",
       {{"text", "An open culture."},
        {"set", {{"trust.voice", 0.05}, {"population.threshold.value", 0.3}}}}});
  const Scenario ws = scenario_from_json(with_set, "notes.json", ".", with_set.dump());
  REQUIRE(ws.try_this.size() == 2);
  CHECK(ws.try_this[0].set.empty());
  CHECK(ws.try_this[1].text == "An open culture.");
  CHECK(ws.try_this[1].set.at("trust.voice") == 0.05);
  for (const auto& [bad, path, expected] :
       std::vector<std::tuple<nlohmann::json, std::string, std::string>>{
           {{{"set", {{"trust.voice", 0.1}}}}, "try[0]", "a \"text\""},
           {{{"text", ""}}, "try[0].text", "a non-empty string"},
           {{{"text", "x"}, {"sett", {}}}, "try[0].sett", "one of the keys text, set"},
           {{{"text", "x"}, {"set", 3}}, "try[0].set", "an object of dotted parameter keys"},
           {{{"text", "x"}, {"set", {{"trust.voice", 2}}}}, "try[0].set.trust.voice", "[0, 1]"},
           {{{"text", "x"}, {"set", {{"trust.vioce", 0.1}}}},
            "try[0].set.trust.vioce",
            "did you mean `trust.voice`"},
           {{{"text", "x"}, {"set", {{"trust.friendships", 0.3}}}},
            "try[0].set.trust.friendships",
            "every arm sets it itself"}}) {
    nlohmann::json d = doc;
    d["try"] = nlohmann::json::array({bad});
    d["arms"] = {{{"name", "a"}, {"set", {{"trust.friendships", 0.1}}}},
                 {{"name", "b"}, {"set", {{"trust.friendships", 0.2}}}}};
    try {
      (void)scenario_from_json(d, "notes.json", ".", d.dump());
      FAIL("accepted " << bad.dump());
    } catch (const InputError& e) {
      CHECK(e.file() == "notes.json");
      CHECK(e.where() == path);
      CHECK_THAT(std::string(e.what()), Catch::Contains(expected));
    }
  }
  // A file extending another keeps only its own notes (like its description).
  const std::string base_path = test::tmp_path("notes_base.json");
  {
    std::ofstream(base_path)
        << R"({"name": "b", "title": "The base", "discussion": ["from the base"], "steps": 3})";
  }
  const nlohmann::json child = {{"name", "child"}, {"extends", base_path}};
  const Scenario c = scenario_from_json(child, "child.json", ".", child.dump());
  CHECK(c.discussion.empty());
  CHECK(c.try_this.empty());
  CHECK(c.base.at("title") == "");  // a title, like the name, belongs to its file
  // Every shipped trainer scenario carries both.
  for (const char* name : {"default", "year1_isolated", "year2_hot_no_relationships", "year3_base_clicks",
                           "big_messaging_no_base", "staffer_pushed_ava", "organizing_never_mobilizes",
                           "mobilizing_back_to_organizing", "high_turnover"}) {
    const Scenario s = load_scenario(test::source_path(std::string("scenarios/") + name + ".json"));
    CHECK(s.discussion.size() >= 2);
    CHECK(s.try_this.size() >= 2);
  }
}

TEST_CASE("snapshots: the frame before the first step (week 0)", "[snapshot][week0]") {
  // Taken through run_one's before-first-step observer, as the trainer's page takes it: step -1,
  // nobody took part in anything yet, everyone's last action "never", and the rungs those of the
  // workplace as built (the worker-organizers count from the start).
  const RunPlan plan = test::plan_for("scenarios/default.json", {"steps=10"});
  const ModelConfig& cfg = plan.arms[0];
  const SnapshotOptions opt{1, true};
  Snapshots snaps;
  run_one(plan, 0, 0, nullptr, {}, [&](Simulation& sim) {
    snaps = snapshot_layout(sim, cfg, opt);
    snaps.frames.push_back(take_frame(sim, cfg, snaps, opt));
  });
  REQUIRE(snaps.frames.size() == 1);
  const Frame& f = snaps.frames[0];
  CHECK(f.step == -1);
  int took = 0, acted = 0, organizers = 0;
  for (std::size_t k = 0; k < f.took_part.size(); ++k) {
    took += f.took_part[k];
    acted += f.last_action[k] >= 0 ? 1 : 0;
    organizers += f.role[k] == 1 ? 1 : 0;
  }
  CHECK(took == 0);
  CHECK(acted == 0);
  CHECK(organizers == 1);  // the default scenario's one worker-organizer
  CHECK(f.tie_trust.size() == snaps.tie_i.size());
}
