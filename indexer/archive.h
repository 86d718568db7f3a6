/*
 * archive.h - wensou-index over a sharded archive (--shard-by, layout.h):
 * one index per year or per source, each updated by an ordinary run that
 * leaves out the other parts' files, and the stub that joins them.
 *
 * A file's part is chosen from what is known without reading it: its
 * folder's wensou-meta.json, then its name (a year 19xx/20xx).  A year or
 * a source found only inside the file (front matter, PDF metadata) still
 * becomes the passages' year or source, but does not choose the part.
 */
#ifndef WS_INDEX_ARCHIVE_H
#define WS_INDEX_ARCHIVE_H

#include "discover.h"
#include "layout.h"
#include "run.h"

/* One run over the archive at dir (recorded key by, or WS_SHARD_BY_NONE
 * for a folder that --shard-by makes one), paths[0..npaths) as for
 * ws_index_run.  Every part is run, so that a file whose part changed
 * leaves the old one; a part whose files did not change writes nothing.
 * Returns the exit status (the worst of the parts'). */
int ws_archive_run(const options *opt, const char *dir, ws_shard_by by, char **paths, int npaths);

/* Leave out of files those not in part, and those of formats wensou does
 * not read (the archive's own walk counted them).  Returns 0, or -1 when
 * out of memory. */
int ws_archive_keep_part(ws_filelist *files, const ws_part *part);

/* The parts of the archive at dir that hold an index, as absolute paths
 * (ws_layout_part_dirs): a new malloc'd array of *n (ws_layout_parts_free).
 * NULL with *n 0 when there are none; false (with a message on stderr)
 * when dir's key cannot be read.  by gets the key, WS_SHARD_BY_NONE when
 * dir is no archive. */
bool ws_archive_parts(const char *dir, ws_shard_by *by, char ***parts, unsigned *n);

#endif
