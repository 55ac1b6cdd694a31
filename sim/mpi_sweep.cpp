// `mpirun -np K orgsim sweep ...`: runs spread over MPI ranks with dynamic load balancing.
// Compiled into the orgsim executable only when CMake finds MPI (Debian's libopenmpi-dev).
//
// Rank 0 coordinates: it hands out run indices in increasing order to whichever rank asks (its
// own worker threads take from the same queue, one at a time), in batches that shrink as the
// queue empties (guided self-scheduling: a share 1/(2 x ranks) of what is left, 1 to 64 runs),
// so a rank asks a few dozen times rather than once a run, and slow runs still never hold up
// the others at the end. A fresh sweep is written by rank 0 alone: the other ranks send each
// finished run to it (encoded by engine/record_codec), and rank 0 writes every run into its
// parts and into the final file as the runs come, in run order, so nothing is merged at the end.
// A resumed sweep (some parts already there) is run as before: every rank writes its own parts
// (part-r<rank>-g<generation>-<seq>.h5) and rank 0 merges them when all are done. A run's results
// depend only on its index, so any number of ranks, threads or shards gives a bit-identical file.
// Only rank 0's main thread calls MPI there; on the other ranks the fetching and sending threads
// take turns (a mutex): MPI_THREAD_SERIALIZED is required.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "engine/record_codec.hpp"
#include "engine/sweep.hpp"

namespace orgsim {

namespace {
// Tags: a rank asks for runs, rank 0 assigns a batch (empty: none left), a rank sends a finished
// run (fresh sweeps), a rank says it is done (after its last run) and how many of its runs failed.
constexpr int kRequest = 1, kAssign = 2, kRecord = 3, kDone = 4;


/// Waits for a non-blocking operation by testing it every 100 microseconds, asleep in between:
/// OpenMPI's blocking calls spin their core, which this rank's or another rank's worker threads
/// need when there are no more cores than workers (2 ranks on 2 cores: 0.9 s of CPU more than
/// 2 threads over the same 600 runs before the waits were made polls, 2026-12-03).
void wait_politely(MPI_Request& req) {
  for (;;) {
    int flag = 0;
    MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
    if (flag) return;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

/// The same for a message not yet received: returns its status once one with `tag` from
/// `source` has arrived.
MPI_Status probe_politely(int source, int tag) {
  for (;;) {
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &st);
    if (flag) return st;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

/// MPI_Finalize after every rank got here, waited for politely (Finalize's own synchronisation
/// then has nobody to wait for).
void finalize_politely() {
  MPI_Request req;
  MPI_Ibarrier(MPI_COMM_WORLD, &req);
  wait_politely(req);
  MPI_Finalize();
}
}  // namespace

bool mpi_launched() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

/// Runs the sweep over the ranks; returns the process exit status (rank 0 merges).
int mpi_sweep(const Sweep& s, const std::string& out, SweepOptions opt,
              const std::function<void(const SweepProgress&)>& progress, bool& merged_here,
              std::int64_t& failed) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  merged_here = false;
  if (provided < MPI_THREAD_SERIALIZED) {
    if (rank == 0) std::cerr << "orgsim sweep: this MPI library does not support MPI_THREAD_SERIALIZED\n";
    MPI_Finalize();
    return 1;
  }
  // Rank 0 decides what is left to run; an error there stops every rank.
  std::deque<std::int64_t> queue;
  int ok = 1;
  std::string error;
  int flags[2] = {1, 0};  // ok, fresh (rank 0 writes every run)
  if (rank == 0) {
    try {
      const bool had_parts = has_parts(out);
      if (had_parts && !opt.resume)
        throw PartsExistError("the parts directory " + out +
                              ".parts already holds parts of this "
                              "sweep: continue it with --resume, or delete it to start again");
      for (auto r : pending_runs(s, out, opt.allow_commit_change)) queue.push_back(r);
      flags[1] = !had_parts && static_cast<std::int64_t>(queue.size()) == s.total_runs() &&
                 opt.build_final;
    } catch (const std::exception& e) {
      flags[0] = 0;
      error = e.what();
    }
  }
  {
    MPI_Request req;
    MPI_Ibcast(flags, 2, MPI_INT, 0, MPI_COMM_WORLD, &req);
    wait_politely(req);
  }
  ok = flags[0];
  const bool fresh = flags[1] != 0;
  if (!ok) {
    if (rank == 0) std::cerr << "orgsim: error: " << error << "\n";
    finalize_politely();
    return 2;
  }
  opt.writer = "r" + std::to_string(rank);
  opt.resume = true;  // other ranks' (and earlier) parts are expected in the directory
  failed = 0;
  if (rank == 0) {
    std::mutex qmu;
    const auto total = static_cast<std::int64_t>(queue.size());
    auto pop = [&]() -> std::int64_t {
      std::lock_guard<std::mutex> lock(qmu);
      if (queue.empty()) return -1;
      const std::int64_t r = queue.front();
      queue.pop_front();
      return r;
    };
    SweepOptions local = opt;
    local.next_run = pop;
    RemoteRuns inbox;
    if (fresh) local.remote = &inbox;
    std::exception_ptr local_error;
    std::thread mine([&] {
      try {
        failed += run_sweep(s, out, local, [&](const SweepProgress&) {
          if (progress) {
            std::lock_guard<std::mutex> lock(qmu);
            progress(SweepProgress{total - static_cast<std::int64_t>(queue.size()), 0, total});
          }
        });
      } catch (...) {
        local_error = std::current_exception();
      }
    });
    int active = size - 1;          // ranks still asking for runs
    int sending = size - 1;         // ranks that have not yet said they are done
    std::int64_t failed_elsewhere = 0;
    while (active > 0 || sending > 0) {
      // Poll rather than block: OpenMPI's blocking receive spins a core, which rank 0's own
      // worker threads need. Any tag: a rank's messages are then taken in the order it sent them
      // (its last run before its kDone).
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
      if (!flag) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      if (st.MPI_TAG == kRecord) {
        int bytes = 0;
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        std::vector<char> buf(static_cast<std::size_t>(bytes));
        MPI_Recv(buf.data(), bytes, MPI_BYTE, st.MPI_SOURCE, kRecord, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        try {
          inbox.add(decode_run(buf.data(), buf.size(), "MPI rank " + std::to_string(st.MPI_SOURCE)));
        } catch (const std::exception& e) {
          // Not an input error: the ranks of one job run one build. Stop the job; the parts
          // written so far are kept for --resume.
          std::cerr << "orgsim sweep: " << e.what() << "\n";
          MPI_Abort(MPI_COMM_WORLD, 1);
        }
        continue;
      }
      if (st.MPI_TAG == kDone) {  // with the number of its runs that failed
        long long remote_failed = 0;
        MPI_Recv(&remote_failed, 1, MPI_LONG_LONG, st.MPI_SOURCE, kDone, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        failed_elsewhere += remote_failed;
        --sending;
        continue;
      }
      int dummy = 0;
      MPI_Recv(&dummy, 1, MPI_INT, st.MPI_SOURCE, kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      std::vector<long long> batch;
      {
        std::lock_guard<std::mutex> lock(qmu);
        const auto left = static_cast<std::int64_t>(queue.size());
        const std::int64_t k = std::clamp<std::int64_t>(left / (2 * size), 1, 64);
        for (std::int64_t i = 0; i < k && !queue.empty(); ++i) {
          batch.push_back(queue.front());
          queue.pop_front();
        }
      }
      // An empty batch tells the rank that nothing is left.
      MPI_Send(batch.data(), static_cast<int>(batch.size()), MPI_LONG_LONG, st.MPI_SOURCE,
               kAssign, MPI_COMM_WORLD);
      if (batch.empty()) --active;
    }
    inbox.close();
    mine.join();
    failed += failed_elsewhere;
    if (local_error) std::rethrow_exception(local_error);
    // a fresh sweep's file is already in place; a resume checked (and warned of) the parts
    if (!fresh) merge_parts(out + ".parts", out, opt.allow_commit_change);
    merged_here = true;
  } else {
    auto mine = std::make_shared<std::deque<long long>>();
    auto done = std::make_shared<bool>(false);
    // The fetching worker threads and (fresh sweeps) the thread sending finished runs take turns
    // with MPI.
    auto mpi_mu = std::make_shared<std::mutex>();
    opt.next_run = [mine, done, mpi_mu]() -> std::int64_t {
      std::lock_guard<std::mutex> lock(*mpi_mu);
      if (mine->empty() && !*done) {
        int dummy = 0;
        MPI_Send(&dummy, 1, MPI_INT, 0, kRequest, MPI_COMM_WORLD);
        MPI_Status st = probe_politely(0, kAssign);
        int count = 0;
        MPI_Get_count(&st, MPI_LONG_LONG, &count);
        std::vector<long long> batch(static_cast<std::size_t>(count));
        MPI_Recv(batch.data(), count, MPI_LONG_LONG, 0, kAssign, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        mine->assign(batch.begin(), batch.end());
        *done = count == 0;
      }
      if (mine->empty()) return -1;
      const long long r = mine->front();
      mine->pop_front();
      return r;
    };
    if (fresh)
      opt.sink = [mpi_mu](RunRecord&& r) {
        const std::vector<char> bytes = encode_run(r);
        std::lock_guard<std::mutex> lock(*mpi_mu);
        MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kRecord,
                 MPI_COMM_WORLD);
      };
    long long mine_failed = run_sweep(s, out, opt);
    // Done: after its last run (fresh sweeps), with how many of its runs failed.
    MPI_Send(&mine_failed, 1, MPI_LONG_LONG, 0, kDone, MPI_COMM_WORLD);
  }
  finalize_politely();
  return failed > 0 ? 1 : 0;
}

}  // namespace orgsim
