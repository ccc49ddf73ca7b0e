# embark_read_sources(OUT FILE): the sources named in FILE (one path per line, relative to the
# folder of FILE; blank lines and lines starting with '#' are skipped). Meson reads the same files
# (see meson.build), so each folder's source list lives in one place.
function(embark_read_sources out file)
  get_filename_component(file "${file}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(dir "${file}" DIRECTORY)
  file(STRINGS "${file}" lines)
  set(result)
  foreach(line IN LISTS lines)
    string(STRIP "${line}" line)
    if(line STREQUAL "" OR line MATCHES "^#")
      continue()
    endif()
    list(APPEND result "${dir}/${line}")
  endforeach()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${file}")
  set(${out} ${result} PARENT_SCOPE)
endfunction()
