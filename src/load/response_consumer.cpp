#include "llmbench/load/response_consumer.hpp"

#include <algorithm>

#include "llmbench/load/session.hpp"
#include "llmbench/util/clock.hpp"

namespace llmbench {

namespace {
constexpr std::size_t kErrorBodyBytes = 4096;

bool starts_with(std::string_view s, std::string_view p) noexcept {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}

ErrorKind kind_for_status(int status) noexcept {
  if (status == 429) return ErrorKind::http_429;
  if (status >= 500) return ErrorKind::http_5xx;
  return ErrorKind::http_4xx;
}
}  // namespace

ResponseConsumer::ResponseConsumer(protocol::EventDecoder& decoder, std::size_t max_event_bytes)
    : decoder_(decoder), parser_(*this), framer_(max_event_bytes), max_body_bytes_(max_event_bytes) {
  body_.reserve(1024);
}

void ResponseConsumer::stage_samples(std::vector<StreamSample>* out, bool delivery_lag) noexcept {
  samples_ = out;
  delivery_lag_ = delivery_lag && out != nullptr;
  // steady_clock is CLOCK_MONOTONIC, the clock the stamps come from.
  monotonic_offset_ns_ =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_epoch().time_since_epoch()).count();
}

// The staging area's capacity is kept across requests: it allocates only
// while it grows to the longest response so far, never per token after that.
void ResponseConsumer::stage(SampleKind kind, std::int64_t value_ns, std::uint32_t count, bool first_token) {
  StreamSample s;
  s.stage = rec_->stage;
  s.prompt = rec_->prompt;
  s.phase = rec_->phase;
  s.kind = kind;
  s.first_token = first_token;
  s.count = count;
  s.t_ns = now_ns_;
  s.user_ns = user_ns_;
  s.value_ns = value_ns;
  samples_->push_back(s);
}

void ResponseConsumer::start(RequestRecord& rec, bool stream, protocol::ApiFlavor flavor) noexcept {
  rec_ = &rec;
  stream_ = stream;
  flavor_ = flavor;
  rec.stream = stream;
  rec.finish = FinishReason::unknown;
  rec.context_truncated = false;
  rec.served_model[0] = '\0';
  parser_.reset();
  framer_.reset();
  body_.clear();
  mode_ = BodyMode::sse;
  saw_end_marker_ = false;
  done_ = false;
  reusable_ = false;
  has_usage_ = false;
  usage_completion_ = 0;
  usage_reasoning_ = -1;
  usage_so_far_ = 0;
  native_predicted_ = 0;
  has_native_counts_ = false;
  if (reply_ != nullptr) reply_->clear();
}

void ResponseConsumer::set_error(ErrorKind kind, std::string_view message) noexcept {
  // The first failure is the one that counts.
  if (rec_->error != ErrorKind::none) return;
  rec_->error = kind;
  rec_->set_message(message);
}

ConsumeState ResponseConsumer::on_read(std::string_view bytes, const char* readable_limit,
                                       std::int64_t t_ns, ReadTokens& tokens, std::int64_t user_ns) {
  if (done_) return ConsumeState::done;
  now_ns_ = t_ns;
  if (rec_->first_byte_ns < 0 && !bytes.empty()) rec_->first_byte_ns = t_ns;
  user_ns_ = user_ns >= 0 ? user_ns : t_ns;
  read_content_events_ = 0;
  read_usage_tokens_ = 0;
  readable_limit_ = readable_limit;
  const std::int64_t previous_token_ns = rec_->last_token_ns;
  const http::ParseState st = parser_.feed(bytes);
  tokens.content_events = read_content_events_;
  tokens.gap_ns = (read_content_events_ > 0 && previous_token_ns >= 0) ? t_ns - previous_token_ns : -1;
  if (samples_ != nullptr && read_content_events_ > 0) {
    stage(SampleKind::token_read, tokens.gap_ns, read_content_events_, previous_token_ns < 0);
    samples_->back().tokens = read_usage_tokens_;  // kept only when every event said (flush_samples)
  }
  if (st == http::ParseState::error) {
    set_error(ErrorKind::protocol, parser_.error());
    complete(t_ns);
  } else if (st == http::ParseState::complete) {
    // Trailing bytes after the response would desynchronise the next one.
    reusable_ = parser_.head().keep_alive && parser_.consumed() == bytes.size();
    complete(t_ns);
  }
  return done_ ? ConsumeState::done : ConsumeState::need_more;
}

ConsumeState ResponseConsumer::on_eof(std::int64_t t_ns) {
  if (done_) return ConsumeState::done;
  const http::ParseState st = parser_.finish();
  if (st == http::ParseState::complete) {
    complete(t_ns);  // a body delimited by the close
  } else if (!parser_.headers_done()) {
    set_error(ErrorKind::incomplete, parser_.started() ? "connection closed inside the response headers"
                                                       : "connection closed before any response");
    complete(t_ns);
  } else {
    set_error(ErrorKind::incomplete, "connection closed before the response ended");
    complete(t_ns);
  }
  reusable_ = false;
  return ConsumeState::done;
}

void ResponseConsumer::fail(ErrorKind kind, std::string_view message, std::int64_t t_ns) noexcept {
  if (done_) return;
  set_error(kind, message);
  reusable_ = false;
  done_ = true;
  rec_->end_ns = t_ns;
  settle_tokens();
}

void ResponseConsumer::on_headers(const http::ResponseHead& head) {
  rec_->http_status = static_cast<std::uint16_t>(head.status);
  rec_->headers_ns = now_ns_;
  rec_->retry_after_s = head.retry_after_s;
  if (head.status >= 400 || head.status < 200) {
    mode_ = BodyMode::error;
    return;
  }
  if (starts_with(head.content_type, "text/event-stream")) {
    mode_ = BodyMode::sse;
  } else if (starts_with(head.content_type, "application/json") || head.content_type.empty()) {
    // A non-streamed body, or a server that ignored stream:true.
    mode_ = BodyMode::json;
  } else {
    mode_ = BodyMode::error;
    std::string msg = "unexpected Content-Type: ";
    msg.append(head.content_type);
    set_error(ErrorKind::protocol, msg);
  }
}

bool ResponseConsumer::on_body(std::string_view bytes) {
  switch (mode_) {
    case BodyMode::sse: {
      const bool ok = framer_.feed(bytes, readable_limit_, [this](const sse::Event& ev) { on_event(ev); });
      if (!ok) {
        set_error(ErrorKind::protocol, "SSE event larger than --max-event-bytes");
        parser_.set_error("SSE event too large");
        return false;
      }
      return true;
    }
    case BodyMode::json:
      if (body_.size() + bytes.size() > max_body_bytes_) {
        set_error(ErrorKind::protocol, "response body larger than --max-event-bytes");
        parser_.set_error("body too large");
        return false;
      }
      body_.append(bytes);
      return true;
    case BodyMode::error:
      // Keep the start of an error body for its message; drop the rest.
      if (body_.size() < kErrorBodyBytes) body_.append(bytes.substr(0, kErrorBodyBytes - body_.size()));
      return true;
  }
  return true;
}

void ResponseConsumer::on_event(const sse::Event& ev) {
  ++rec_->events;
  if (protocol::DecodeStatus st = decoder_.decode(ev.data, ev.readable_after, info_, &template_);
      st != protocol::DecodeStatus::ok) {
    std::string msg = "malformed event JSON: ";
    msg.append(decoder_.error());
    set_error(ErrorKind::protocol, msg);
    return;
  }
  apply(info_);
}

void ResponseConsumer::apply(const protocol::EventInfo& info) {
  if (info.is_error) {
    set_error(ErrorKind::error_event, info.error_message.empty() ? "error event" : info.error_message);
  }
  if (info.done_marker || info.native_stop) saw_end_marker_ = true;
  const bool first_token = info.content_pieces > 0 && rec_->first_token_ns < 0;
  if (info.content_pieces > 0) {
    if (first_token) rec_->first_token_ns = now_ns_;
    rec_->last_token_ns = now_ns_;
    rec_->content_events += info.content_pieces;
    read_content_events_ += info.content_pieces;
  }
  if (info.output_pieces > 0 && rec_->first_output_ns < 0) rec_->first_output_ns = now_ns_;
  if (reply_ != nullptr && !info.output_raw.empty() && reply_->size() + info.output_raw.size() <= kMaxReplyBytes) {
    reply_->append(info.output_raw);
  }
  rec_->reasoning_events += info.reasoning_pieces;
  rec_->output_events += info.output_pieces;
  rec_->tool_call_events += info.tool_call_pieces;
  if (info.has_usage && info.content_pieces > 0) {
    // A cumulative count on a content event (continuous_usage_stats): this
    // event's tokens are what it added.
    const std::uint32_t so_far = info.completion_tokens;
    const std::uint32_t added = so_far > usage_so_far_ ? so_far - usage_so_far_ : 0;
    usage_so_far_ = std::max(usage_so_far_, so_far);
    read_usage_tokens_ += added;
    rec_->usage_event_tokens += added;
    rec_->usage_events += info.content_pieces;
  }
  if (info.has_usage) {
    has_usage_ = true;
    usage_completion_ = info.completion_tokens;
    if (info.reasoning_tokens >= 0) usage_reasoning_ = info.reasoning_tokens;
    if (info.cached_tokens >= 0) rec_->cached_tokens = info.cached_tokens;
  }
  // Embeddings and rerank usage carries prompt_tokens alone.
  if (info.prompt_tokens) rec_->prompt_tokens = info.prompt_tokens;
  if (info.has_native_counts) {
    has_native_counts_ = true;
    native_predicted_ = info.tokens_predicted;
    if (info.tokens_evaluated) rec_->prompt_tokens = info.tokens_evaluated;
  }
  if (info.timings.present) rec_->timings = info.timings;
  if (info.finish != FinishReason::unknown) rec_->finish = info.finish;
  if (info.truncated) rec_->context_truncated = true;
  if (!info.model.empty() && rec_->served_model[0] == '\0') rec_->set_model(info.model);
  if (delivery_lag_ && info.stamp_ns >= 0) {
    const std::int64_t lag = std::max<std::int64_t>(0, now_ns_ + monotonic_offset_ns_ - info.stamp_ns);
    stage(SampleKind::delivery_lag, lag, 1, first_token);
  }
}

void ResponseConsumer::finish_error_body() {
  std::string_view msg;
  protocol::EventInfo info;
  if (!body_.empty() && decoder_.decode(body_, info) == protocol::DecodeStatus::ok && info.is_error) {
    msg = info.error_message;
  } else {
    msg = body_;
  }
  std::string full = "HTTP " + std::to_string(rec_->http_status);
  if (!msg.empty()) {
    full += ": ";
    full.append(msg.substr(0, kErrorMessageBytes));
  }
  set_error(kind_for_status(rec_->http_status), full);
}

void ResponseConsumer::finish_json_body() {
  if (!protocol::generates(flavor_)) return finish_retrieval_body();
  if (decoder_.decode(body_, info_) != protocol::DecodeStatus::ok) {
    std::string msg = "malformed response JSON: ";
    msg.append(decoder_.error());
    set_error(ErrorKind::protocol, msg);
    return;
  }
  // The whole body is one "event" whose content arrives with its last byte:
  // no token has a time of its own, so TTFT, TPOT and the decode rate are
  // not observable (reported as null), only E2E and tokens/s.
  apply(info_);
  rec_->first_token_ns = -1;
  rec_->first_output_ns = -1;
  rec_->last_token_ns = -1;
  if (info_.content_pieces > 0) {
    rec_->content_events = 1;
    read_content_events_ = 1;
  }
  saw_end_marker_ = true;
}

// An embeddings or rerank body: its vectors (or scores) are the answer, its
// usage.prompt_tokens the input the server read. Nothing is generated, so
// every token time stays -1 (TTFT, ITL, TPOT absent) and completion_tokens 0;
// content_events holds the vectors or scores, so that an answer without any
// is flagged empty like a reply without content.
void ResponseConsumer::finish_retrieval_body() {
  const bool embeddings = flavor_ == protocol::ApiFlavor::embeddings;
  if (decoder_.decode(body_, info_) != protocol::DecodeStatus::ok) {
    std::string msg = "malformed response JSON: ";
    msg.append(decoder_.error());
    set_error(ErrorKind::protocol, msg);
    return;
  }
  if (info_.is_error) {
    set_error(ErrorKind::error_event, info_.error_message.empty() ? "error object" : info_.error_message);
    return;
  }
  const std::int32_t items = embeddings ? info_.embeddings : info_.scores;
  if (items < 0) {
    set_error(ErrorKind::protocol, embeddings ? "embeddings response without a \"data\" array"
                                              : "rerank response without a \"results\" array");
    return;
  }
  if (info_.prompt_tokens) rec_->prompt_tokens = info_.prompt_tokens;
  if (!info_.model.empty() && rec_->served_model[0] == '\0') rec_->set_model(info_.model);
  rec_->content_events = static_cast<std::uint32_t>(items);
  saw_end_marker_ = true;
}

void ResponseConsumer::complete(std::int64_t t_ns) {
  if (done_) return;
  done_ = true;
  rec_->end_ns = t_ns;
  if (parser_.state() == http::ParseState::complete) {
    if (mode_ == BodyMode::error && rec_->error == ErrorKind::none) finish_error_body();
    if (mode_ == BodyMode::json) finish_json_body();
    if (mode_ == BodyMode::sse) {
      if (framer_.mid_event() && rec_->error == ErrorKind::none) {
        set_error(ErrorKind::incomplete, "stream ended inside an event");
      }
      if (!saw_end_marker_) set_error(ErrorKind::incomplete, "stream ended without its end marker");
    }
  }
  if (rec_->error != ErrorKind::none) reusable_ = false;
  settle_tokens();
  if (rec_->error == ErrorKind::none && rec_->content_events == 0) flag_empty();
}

// The server's count when it gives one, else the content events we saw; an
// endpoint that generates nothing has no completion tokens at all.


// A reply that ended properly but generated nothing (a model that stops at
// once, `content:""`) is no measurement of generation: it would count as a
// fast success. The connection stays reusable: the exchange itself was fine.
void ResponseConsumer::flag_empty() {
  if (!protocol::generates(flavor_)) {
    set_error(ErrorKind::empty, flavor_ == protocol::ApiFlavor::embeddings ? "empty reply: no embeddings"
                                                                           : "empty reply: no rerank results");
    return;
  }
  std::string msg = "empty reply: no generated content (finish_reason ";
  msg += to_string(rec_->finish);
  msg += ", ";
  msg += std::to_string(rec_->completion_tokens);
  msg += rec_->completion_tokens == 1 ? " completion token)" : " completion tokens)";
  set_error(ErrorKind::empty, msg);
}

void ResponseConsumer::settle_tokens() noexcept {
  if (!protocol::generates(flavor_)) {
    rec_->completion_tokens = 0;
    rec_->token_source = TokenSource::usage;
    rec_->reasoning_tokens = 0;
    return;
  }
  if (has_usage_) {
    rec_->completion_tokens = usage_completion_;
    rec_->token_source = TokenSource::usage;
  } else if (rec_->timings.present && rec_->timings.predicted_n > 0) {
    rec_->completion_tokens = static_cast<std::uint32_t>(rec_->timings.predicted_n);
    rec_->token_source = TokenSource::timings;
  } else if (has_native_counts_ && native_predicted_ > 0) {
    rec_->completion_tokens = native_predicted_;
    rec_->token_source = TokenSource::timings;
  } else {
    rec_->completion_tokens = rec_->content_events;
    rec_->token_source = TokenSource::events;
  }
  settle_reasoning();
}

// The server's reasoning count when usage gives one (OpenAI's and vLLM's
// completion_tokens_details), else the completion count split in proportion
// to the reasoning and output events: with one token per event that is the
// exact count; with several it assumes both kinds pack tokens alike.
void ResponseConsumer::settle_reasoning() noexcept {
  const std::uint64_t events = std::uint64_t{rec_->reasoning_events} + rec_->output_events;
  if (usage_reasoning_ >= 0) {
    rec_->reasoning_tokens = std::min(static_cast<std::uint32_t>(usage_reasoning_), rec_->completion_tokens);
  } else if (events > 0) {
    rec_->reasoning_tokens = static_cast<std::uint32_t>(
        (std::uint64_t{rec_->completion_tokens} * rec_->reasoning_events + events / 2) / events);
  } else {
    rec_->reasoning_tokens = 0;
  }
}

}  // namespace llmbench
