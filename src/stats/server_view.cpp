#include "llmbench/stats/server_view.hpp"

#include "llmbench/stats/request_figures.hpp"

namespace llmbench::stats {

namespace {
void record_rate(Histogram& h, std::optional<double> per_s) {
  if (per_s && *per_s >= 0) h.record(static_cast<std::int64_t>(*per_s * 1000.0 + 0.5));
}
}  // namespace

void ServerView::add(const RequestRecord& r) {
  if (!r.ok()) return;
  if (const auto c = stats::cache_n(r)) {
    cache_n.record(*c);
    if (*c > 0) ++cache_hits;
  }
  if (!r.timings.present) return;
  ++requests;
  if (const auto p = stats::prefill_ns(r)) prefill_ns.record(*p);
  if (const auto q = stats::queue_ns(r)) queue_ns.record(*q);
  if (r.timings.prompt_per_second > 0) record_rate(prefill_tps_milli, r.timings.prompt_per_second);
  if (const auto d = stats::server_decode_tokens_per_second(r)) {
    record_rate(server_decode_milli, d);
    record_rate(client_decode_milli, decode_tokens_per_second(r));
  }
}

void ServerView::merge(const ServerView& o) {
  requests += o.requests;
  cache_hits += o.cache_hits;
  for (auto [mine, theirs] : {std::pair{&prefill_ns, &o.prefill_ns}, {&queue_ns, &o.queue_ns},
                              {&prefill_tps_milli, &o.prefill_tps_milli},
                              {&server_decode_milli, &o.server_decode_milli},
                              {&client_decode_milli, &o.client_decode_milli}, {&cache_n, &o.cache_n}}) {
    mine->merge(*theirs);
  }
}

}  // namespace llmbench::stats
