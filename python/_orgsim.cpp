// The native half of the Python package `orgsim` (python/orgsim/): a thin pybind11 face over the
// engine. It returns results files built in memory (io/memory_results.hpp, sweep_to_image) as
// bytes; the Python half reads them with analysis.load, so the Dataset is the one the CLI's file
// gives. The GIL is released while a scenario or sweep runs; errors become Python exceptions
// (InputError -> the class given to set_input_error_class, with file, path, expected, found, hint).
#include <pybind11/pybind11.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "engine/runner.hpp"
#include "engine/sweep.hpp"
#include "io/memory_results.hpp"
#include "io/output_path.hpp"
#include "io/outputs.hpp"
#include "io/scenario.hpp"
#include "model/parameters.hpp"
#include "orgsim_version.hpp"

namespace py = pybind11;
using namespace orgsim;

namespace {

py::object& input_error_class() {
  static py::object cls;  // set once by the Python package at import
  return cls;
}

py::bytes to_bytes(const std::vector<unsigned char>& image) {
  return py::bytes(reinterpret_cast<const char*>(image.data()), image.size());
}

/// A scenario from a path, or (text given) from JSON text labelled `label`, relative paths in it
/// resolved from the working directory.
Scenario load(const std::string& path, const std::string& text, const std::string& label,
              const std::vector<std::string>& sets) {
  if (text.empty()) return load_scenario(path, sets);
  const auto doc = parse_json_text(text, label);
  return scenario_from_json(doc, label, std::filesystem::current_path().string(), text, sets);
}

Sweep load_sweep_any(const std::string& path, const std::string& text, const std::string& label) {
  if (text.empty()) return load_sweep(path);
  return sweep_from_text(text, label, std::filesystem::current_path().string());
}

}  // namespace

PYBIND11_MODULE(_orgsim, m) {
  m.doc() = "orgsim's engine (native half of the orgsim package; use `import orgsim`)";
  m.attr("version") = kVersion;
  m.attr("git_commit") = kGitCommit;
  m.attr("source_dir") = ORGSIM_SOURCE_DIR;

  m.def("keep_freed_memory", &keep_freed_memory,
        "keep freed memory in the process (faster repeated runs; see orgsim.keep_freed_memory)");
  m.def("set_input_error_class", [](py::object cls) { input_error_class() = std::move(cls); });

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      py::object cls = input_error_class();
      if (!cls) {
        PyErr_SetString(PyExc_ValueError, e.what());
        return;
      }
      py::object err = cls(e.what(), e.file(), e.where(), e.expected(), e.found(), e.hint());
      PyErr_SetObject(cls.ptr(), err.ptr());
    } catch (const UsageError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const RunError& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });

  // The sweep's two refusals a Python caller answers with a keyword (resume=True,
  // allow_commit_change=True): their own ValueError subclasses, so that orgsim.sweep names the
  // keyword without reading the engine's message. Registered after the translator above, so
  // tried before it.
  py::register_exception<PartsExistError>(m, "PartsExistError", PyExc_ValueError);
  py::register_exception<CommitChangeError>(m, "CommitChangeError", PyExc_ValueError);

  m.def(
      "run_image",
      [](const std::string& path, const std::string& text, const std::string& label,
         const std::vector<std::string>& sets, unsigned threads, const std::string& command_line) {
        std::vector<unsigned char> image;
        {
          py::gil_scoped_release release;
          const Scenario sc = load(path, text, label, sets);
          image = run_to_image(sc, threads, command_line);
        }
        return to_bytes(image);
      },
      py::arg("path"), py::arg("text"), py::arg("label"), py::arg("sets"), py::arg("threads"),
      py::arg("command_line"),
      "Runs a scenario (a path, or JSON text) and returns the results file `orgsim run` would "
      "write, as bytes.");

  m.def(
      "run_outcomes",
      [](const std::string& path, const std::string& text, const std::string& label,
         const std::vector<std::string>& sets, unsigned threads) {
        std::vector<RunRecord> records;
        std::vector<std::string> arm_names;
        {
          py::gil_scoped_release release;
          const Scenario sc = load(path, text, label, sets);
          const RunPlan plan = make_plan(sc);
          check_resources(plan, sc.file, threads);
          records = run_plan(plan, threads);
          arm_names = plan.arm_names;
        }
        // The per-run values only, no results file: what samplers need per point. Names and
        // order from the output dictionary.
        const auto& outs = per_run_outputs();
        const std::size_t n = records.size();
        py::dict d;
        d["arm_names"] = arm_names;
        py::array_t<std::int64_t> arm(n), replicate(n), status(n);
        std::vector<py::array_t<double>> values;
        for (std::size_t k = 0; k < outs.size(); ++k) values.emplace_back(n);
        for (std::size_t i = 0; i < n; ++i) {
          arm.mutable_at(i) = records[i].arm;
          replicate.mutable_at(i) = records[i].replicate;
          status.mutable_at(i) = records[i].status;
          for (std::size_t k = 0; k < outs.size(); ++k)
            values[k].mutable_at(i) = records[i].per_run[k];
        }
        d["arm_code"] = arm;
        d["replicate"] = replicate;
        d["status"] = status;
        for (std::size_t k = 0; k < outs.size(); ++k) d[outs[k].name.c_str()] = values[k];
        return d;
      },
      "Runs a scenario and returns only its per-run outcomes (dict of arrays), no results file.");

  m.def(
      "check_scenario",
      [](const std::string& path, const std::string& text, const std::string& label,
         const std::vector<std::string>& sets) {
        const Scenario sc = load(path, text, label, sets);
        py::list arms;
        for (const auto& a : sc.arms) arms.append(a.name);
        return arms;
      },
      "Loads and validates a scenario; returns its arm names.");

  m.def(
      "sweep_image",
      [](const std::string& path, const std::string& text, const std::string& label,
         unsigned threads, const std::string& command_line) {
        std::vector<unsigned char> image;
        std::vector<std::string> failures;
        {
          py::gil_scoped_release release;
          const Sweep s = load_sweep_any(path, text, label);
          check_resources(s, threads);
          image = sweep_to_image(s, threads, command_line, &failures);
        }
        return py::make_tuple(to_bytes(image), failures);
      },
      "Runs a sweep in memory; returns (the results file as bytes, failure messages).");

  m.def(
      "sweep_file",
      [](const std::string& path, const std::string& text, const std::string& label,
         const std::string& out, unsigned threads, const std::string& command_line, bool resume,
         bool allow_commit_change) {
        // Ctrl-C in Python: between runs the writer's progress call takes the GIL and lets Python
        // run its signal handlers; a KeyboardInterrupt unwinds the sweep as the CLI's does (the
        // runs in hand finish, the finished parts stay for resume=True, the final file's
        // .partial is removed), and is raised once the GIL is back.
        struct Interrupted {};
        std::int64_t failed = 0;
        bool interrupted = false;
        {
          py::gil_scoped_release release;
          const Sweep s = load_sweep_any(path, text, label);
          check_resources(s, threads);
          SweepChoices choices;  // one shard, the default part size: as `orgsim sweep -o out`
          choices.threads = threads;
          choices.resume = resume;
          choices.allow_commit_change = allow_commit_change;
          choices.command_line = command_line;
          // as the CLI: a resume from another build's parts warns on stderr (the GIL is released)
          choices.warn_as = "orgsim.sweep";
          const SweepOptions opt = sweep_options(choices);
          make_output_folder(out);  // as the CLI: a folder that is a file is an InputError
          const auto check_signals = [](const SweepProgress&) {
            py::gil_scoped_acquire acquire;
            if (PyErr_CheckSignals() != 0) throw Interrupted{};
          };
          try {
            failed = run_sweep(s, out, opt, check_signals);
            if (has_parts(out)) merge_parts(out + ".parts", out, opt.allow_commit_change);
        } catch (const Interrupted&) {
          interrupted = true;
          std::int64_t kept = -1;  // -1: the parts cannot be counted; say what continues it
          try {
            kept = kept_runs(s, out, opt.allow_commit_change);
          } catch (const std::exception&) {}
          std::cerr << "orgsim.sweep: interrupted: "
                    << (kept < 0 ? std::string("the runs")
                                 : std::to_string(kept) + " of " + std::to_string(s.total_runs()) +
                                       " runs")
                    << " kept in " << out << ".parts (runs finished since the last part run "
                    << "again); orgsim.sweep(..., out=\"" << out << "\", resume=True) continues it\n";
        }
        }
        if (interrupted) throw py::error_already_set();  // the KeyboardInterrupt Python set
        return failed;
      },
      py::arg("path"), py::arg("text"), py::arg("label"), py::arg("out"), py::arg("threads"),
      py::arg("command_line"), py::arg("resume") = false, py::arg("allow_commit_change") = false,
      "Runs a sweep streaming into the results file `out` (parts, then the final file), as "
      "`orgsim sweep -o out [--resume] [--allow-commit-change]` does; returns the number of "
      "failed runs.");

  m.def("parameters_json", [] { return parameters_json().dump(); },
        "The parameter table as JSON text.");
  m.def(
      "outputs",
      [] {
        py::list out;
        for (const auto& v : output_dictionary()) {
          py::dict d;
          d["name"] = v.name;
          d["scope"] = v.scope == OutputScope::per_step ? "per_step" : "per_run";
          d["units"] = v.units;
          d["unit_words"] = v.unit_words;
          d["long_name"] = v.long_name;
          d["description"] = v.description;
          out.append(d);
        }
        return out;
      },
      "The output dictionary (name, scope, units, unit_words, long_name, description).");
}
