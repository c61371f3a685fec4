#pragma once
// The one padding constant: every buffer whose bytes may reach the JSON
// parser keeps this many readable bytes past its end, so simdjson (which may
// read up to 64 bytes past a document) parses in place without a copy. The
// read buffer (load), the SSE framer's copies (sse) and the decoder's scratch
// (protocol) all use it; the decoder checks it against simdjson's own value.
#include <cstddef>

namespace llmbench::util {

inline constexpr std::size_t kJsonPaddingBytes = 64;

}  // namespace llmbench::util
