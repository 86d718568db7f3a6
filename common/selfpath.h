/*
 * selfpath.h - files that live beside the running program: in a build
 * tree the PDF helper and the shipped glossary sit next to the binaries
 * (or one folder over), so an uninstalled build finds them before the
 * installed copies.
 */
#ifndef WENSOU_SELFPATH_H
#define WENSOU_SELFPATH_H

#include <stddef.h>

/* The first of rel[0..n) (each a path from the program's folder, such as
 * "/../glossary/digital-governance.txt") that access(2) allows with mode,
 * as a malloc'd absolute path; NULL if none is, or the program's folder
 * is unknown. */
char *ws_beside_program(const char *const *rel, size_t n, int mode);

#endif
