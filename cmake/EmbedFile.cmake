# Embeds a file's bytes in the binary as a std::string_view.
#
# Included by the build, it defines llmbench_embed_file(). Run as a script
# (cmake -DINPUT=... -DOUTPUT=... -DFUNCTION=... -P EmbedFile.cmake) it writes
# the source file: a byte array from file(READ ... HEX) rather than a raw string
# literal, so the bytes come out exact whatever they contain (a raw string
# would break on its own delimiter, and no delimiter is safe for every file).
#
# The generated file defines `std::string_view llmbench::report::assets::
# FUNCTION() noexcept`; include/llmbench/report/html_assets.hpp declares them.

if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${INPUT}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR byte_count "${hex_length} / 2")
  # CMake's regular expressions have no {n}: spell 24 bytes out to cut lines.
  string(REPEAT "[0-9a-f][0-9a-f]" 24 line_pattern)
  string(REGEX REPLACE "(${line_pattern})" "\\1\n" hex "${hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  # An empty file would give an empty initializer list, which C++ rejects.
  if(byte_count EQUAL 0)
    set(bytes "0")
  endif()
  file(WRITE "${OUTPUT}"
"// Generated from ${INPUT} by cmake/EmbedFile.cmake: do not edit.
#include <string_view>

namespace llmbench::report::assets {
namespace {
constexpr unsigned char kBytes[] = {
${bytes}
};
}  // namespace

std::string_view ${FUNCTION}() noexcept {
  return {reinterpret_cast<const char*>(kBytes), ${byte_count}};
}

}  // namespace llmbench::report::assets
")
  return()
endif()

set(LLMBENCH_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_FILE}")

# Compiles INPUT's bytes into TARGET as assets::FUNCTION(). The source is
# regenerated whenever INPUT (or this script) changes.
function(llmbench_embed_file target input function)
  set(output "${PROJECT_BINARY_DIR}/generated/embedded/${function}.cpp")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DFUNCTION=${function}
            -P "${LLMBENCH_EMBED_SCRIPT}"
    DEPENDS "${input}" "${LLMBENCH_EMBED_SCRIPT}"
    COMMENT "Embedding ${input}"
    VERBATIM)
  target_sources(${target} PRIVATE "${output}")
endfunction()
