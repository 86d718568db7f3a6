/*
 * meta.h - a document's title, year and source, resolved in the order
 * DESIGN.md gives: the folder's wensou-meta.json sidecar (per-file entry,
 * then folder defaults) > front matter > the file name (a year 19xx/20xx)
 * > the first heading (title).  An unknown year stays 0 (unknown).
 *
 * Sidecar format (JSON):
 *   { "source": "…", "year": 2023, "title": "…",        folder defaults
 *     "encoding": "gb18030",
 *     "files": { "name.txt": { "title": "…", "source": "…", "year": 2024,
 *                              "encoding": "big5" } } }
 * "encoding" pins the files' encoding (any name ICU's converters know)
 * instead of detecting it.
 */
#ifndef WENSOU_META_H
#define WENSOU_META_H

#include <stdint.h>

#include "discover.h"
#include "extract.h"
#include "passage.h"

typedef struct ws_docmeta {
	char *title;   /* never NULL after resolve (falls back to the file name) */
	char *source;  /* NULL when unknown */
	int year;      /* 0 when unknown */
} ws_docmeta;

typedef struct ws_sidecars ws_sidecars;

ws_sidecars *ws_sidecars_new(ws_report_fn report, void *ud);
void ws_sidecars_free(ws_sidecars *sc);

/* Modification time (ns) of the sidecar governing path, 0 if there is
 * none: stored per file so that editing the sidecar re-indexes its folder. */
int64_t ws_sidecar_mtime(ws_sidecars *sc, const char *path);

/* The encoding the sidecar pins for path (its "files" entry, then the
 * folder's), NULL when none; "" when "encoding" is not a string.  Owned by
 * sc, valid until the next call with a path in another folder. */
const char *ws_sidecar_encoding(ws_sidecars *sc, const char *path);

/* Resolve path's metadata.  dt and ps may be NULL (then only the sidecar
 * and the file name count).  Returns 0, or -1 when out of memory. */
int ws_meta_resolve(ws_sidecars *sc, const char *path, const ws_doctext *dt, const ws_passages *ps,
                    ws_docmeta *out);
void ws_docmeta_free(ws_docmeta *m);

#endif
