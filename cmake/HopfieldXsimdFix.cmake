# Work around Debian's xsimd 8.1 package (libxsimd-dev 8.1.0-7): its exported `xsimd` target
# lists `xtl` in INTERFACE_LINK_LIBRARIES although xsimd does not need xtl, so every target
# that links `xsimd` fails to link with "cannot find -lxtl" unless an `xtl` target exists.
#
# Included after find_package(xsimd) by hopfield's own CMakeLists.txt and by the installed
# hopfieldConfig.cmake, so that consumers of an installed hopfield do not hit it either.
# Harmless elsewhere: it only drops a plain `xtl` entry, and only when no `xtl` target is
# defined (if the consumer found xtl first, `xtl` names that target and links fine).
if(TARGET xsimd AND NOT TARGET xtl)
    get_target_property(_hopfield_xsimd_links xsimd INTERFACE_LINK_LIBRARIES)
    if(_hopfield_xsimd_links AND "xtl" IN_LIST _hopfield_xsimd_links)
        list(REMOVE_ITEM _hopfield_xsimd_links xtl)
        set_target_properties(xsimd PROPERTIES INTERFACE_LINK_LIBRARIES "${_hopfield_xsimd_links}")
    endif()
    unset(_hopfield_xsimd_links)
endif()
