# Test of cmake/git_info.cmake (the build's git commit, re-read at every build):
#   cmake -DSCRIPT=cmake/git_info.cmake -DTEMPLATE=sim/core/git_info.cpp.in -DWORK_DIR=<scratch>
#         [-DGIT_EXECUTABLE=git] -P tests/cmake/test_git_info.cmake
# In a fresh repository: the commit of HEAD, dirty only with changes to tracked files, a new
# commit seen at the next run, and the output left untouched (its time stamp too) when nothing
# changed. Outside a checkout (a tarball, even one unpacked inside another repository) and
# without git: "unknown".
cmake_minimum_required(VERSION 3.25)
if(NOT GIT_EXECUTABLE)
  set(GIT_EXECUTABLE git)
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(out "${WORK_DIR}/git_info.cpp")

function(run_script source git)
  execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${source} -DTEMPLATE=${TEMPLATE}
                          -DOUTPUT=${out} -DGIT_EXECUTABLE=${git} -P ${SCRIPT}
    RESULT_VARIABLE status ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "git_info.cmake failed on ${source}: ${err}")
  endif()
endfunction()

function(expect what commit dirty)
  file(READ "${out}" text)
  if(NOT text MATCHES "kGitCommit = \"${commit}\";" OR NOT text MATCHES "kGitDirty = \"${dirty}\";")
    message(FATAL_ERROR "${what}: expected commit \"${commit}\" and dirty \"${dirty}\", found:\n${text}")
  endif()
  message(STATUS "ok: ${what}")
endfunction()

function(git)
  execute_process(COMMAND ${GIT_EXECUTABLE} -c user.name=test -c user.email=test@example.org
                          -c commit.gpgsign=false -c init.defaultBranch=main ${ARGN}
    WORKING_DIRECTORY "${WORK_DIR}/repo" RESULT_VARIABLE status OUTPUT_VARIABLE stdout
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "git ${ARGN}: ${err}")
  endif()
  set(git_out "${stdout}" PARENT_SCOPE)
endfunction()

# Not a checkout: a folder of sources (the scratch folder may lie inside this repository's
# build tree: a tarball unpacked inside another checkout is not that checkout).
file(MAKE_DIRECTORY "${WORK_DIR}/tarball")
file(WRITE "${WORK_DIR}/tarball/CMakeLists.txt" "# sources\n")
run_script("${WORK_DIR}/tarball" "${GIT_EXECUTABLE}")
expect("a folder that is not a git checkout" "unknown" "false")
file(REMOVE "${out}")
run_script("${WORK_DIR}/tarball" "${WORK_DIR}/no-such-git")
expect("git missing" "unknown" "false")

execute_process(COMMAND ${GIT_EXECUTABLE} --version RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
if(NOT status EQUAL 0)
  message(STATUS "skipped: no git to make a repository with")
  return()
endif()
file(MAKE_DIRECTORY "${WORK_DIR}/repo")
git(init -q)
file(WRITE "${WORK_DIR}/repo/a.txt" "one\n")
git(add a.txt)
git(commit -q -m one)
git(rev-parse --short=12 HEAD)
set(first "${git_out}")
run_script("${WORK_DIR}/repo" "${GIT_EXECUTABLE}")
expect("a clean checkout" "${first}" "false")

# Nothing changed: the file is not rewritten (so nothing recompiles).
file(TIMESTAMP "${out}" before "%s")
execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.1)
run_script("${WORK_DIR}/repo" "${GIT_EXECUTABLE}")
file(TIMESTAMP "${out}" after "%s")
if(NOT before STREQUAL after)
  message(FATAL_ERROR "the output was rewritten although nothing changed (${before} -> ${after})")
endif()
message(STATUS "ok: unchanged output left alone")

# An untracked file is not a change of the build; an edit of a tracked one is.
file(WRITE "${WORK_DIR}/repo/untracked.txt" "x\n")
run_script("${WORK_DIR}/repo" "${GIT_EXECUTABLE}")
expect("an untracked file" "${first}" "false")
file(WRITE "${WORK_DIR}/repo/a.txt" "two\n")
run_script("${WORK_DIR}/repo" "${GIT_EXECUTABLE}")
expect("a tracked file edited" "${first}" "true")

# A later commit: seen by the next run, with no reconfiguring.
git(commit -q -a -m two)
git(rev-parse --short=12 HEAD)
set(second "${git_out}")
if(second STREQUAL first)
  message(FATAL_ERROR "the second commit has the first one's id")
endif()
run_script("${WORK_DIR}/repo" "${GIT_EXECUTABLE}")
expect("a later commit" "${second}" "false")
