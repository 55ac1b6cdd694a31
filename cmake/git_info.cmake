# Writes the build's git commit and dirty flag into a generated source file. Run at every build
# (the orgsim_git_info target in CMakeLists.txt) and once when CMake configures, so that a binary
# built after a commit names that commit (`orgsim --version`, each results file's git_commit and
# git_dirty). The output is rewritten only when its content changes: a build with nothing new
# recompiles nothing.
#
#   cmake -DSOURCE_DIR=<tree> -DTEMPLATE=<git_info.cpp.in> -DOUTPUT=<file> [-DGIT_EXECUTABLE=git]
#         -P cmake/git_info.cmake
#
# The commit is "unknown" (and dirty "false") when the tree is not the top of a git checkout (a
# release tarball, even one unpacked inside another repository), or git is missing or fails.
cmake_minimum_required(VERSION 3.25)
foreach(var SOURCE_DIR TEMPLATE OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "git_info.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT GIT_EXECUTABLE)
  set(GIT_EXECUTABLE git)
endif()

set(ORGSIM_GIT_COMMIT "unknown")
set(ORGSIM_GIT_DIRTY "false")
execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --show-toplevel
  WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE status OUTPUT_VARIABLE top
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(status EQUAL 0)
  file(REAL_PATH "${top}" top)
  file(REAL_PATH "${SOURCE_DIR}" source)
endif()
if(status EQUAL 0 AND top STREQUAL source)
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE status OUTPUT_VARIABLE commit
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(status EQUAL 0 AND commit MATCHES "^[0-9a-f]+$")
    set(ORGSIM_GIT_COMMIT "${commit}")
    # Uncommitted changes to tracked files (untracked ones are not part of the build). No
    # optional locks: a build never takes the index lock from a git command running alongside.
    execute_process(COMMAND "${GIT_EXECUTABLE}" --no-optional-locks status --porcelain
                            --untracked-files=no
      WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE status OUTPUT_VARIABLE changes
      ERROR_QUIET)
    if(NOT status EQUAL 0 OR changes)
      set(ORGSIM_GIT_DIRTY "true")
    endif()
  endif()
endif()
# configure_file leaves the output untouched (its time stamp too) when the content is the same.
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
