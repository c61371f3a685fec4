#pragma once
// A worker thread: one io_context, its streams, its rings. Nothing on its I/O
// path is shared with another thread except the rings' indices and the
// counters' atomics.
#include <asio.hpp>

#include <cstdint>

#include "llmbench/load/driver.hpp"
#include "llmbench/load/request_path.hpp"
#include "llmbench/record/record.hpp"
#include "llmbench/record/spsc_ring.hpp"

namespace llmbench {

class Worker {
 public:
  Worker(const RunContext& ctx, std::uint32_t stage, std::size_t ring_capacity);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs `driver` until its schedule is over and its requests have ended;
  // blocks the calling thread (the worker's own).
  void run(Driver& driver);
  // From any thread: stop taking tickets and cancel what is in flight.
  void cancel() noexcept;
  // From any thread: the schedule's source has stopped handing out tickets
  // (the engine's gate); wake the driver so that it notices. In-flight
  // requests go on.
  void stop_scheduling() noexcept;

  SpscRing<RequestRecord>& records() noexcept { return records_; }
  SpscRing<StreamSample>& samples() noexcept { return samples_; }
  const WorkerCounters& counters() const noexcept { return counters_; }

 private:
  SpscRing<RequestRecord> records_;
  SpscRing<StreamSample> samples_;
  WorkerCounters counters_;
  // Declared before what uses it: sockets and timers must die before their
  // io_context, and its pending handlers (which point into slots) are then
  // destroyed without running.
  // Run by this worker's thread alone; other threads only post() to it (the
  // scheduler keeps its lock), so the reactor's per-socket locks, taken a few
  // times per token, are left out.
  asio::io_context io_{ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  RequestPath path_;
  Driver* driver_ = nullptr;
};

}  // namespace llmbench
