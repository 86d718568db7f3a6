/*
 * progress.h - a one-line progress bar on stderr (files, MB, rate, ETA),
 * redrawn at most ten times a second.  A disabled bar does nothing.
 */
#ifndef WENSOU_PROGRESS_H
#define WENSOU_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ws_progress ws_progress;

ws_progress *ws_progress_new(bool enabled);
void ws_progress_start(ws_progress *p, size_t files, uint64_t bytes);
void ws_progress_update(ws_progress *p, size_t files_done, uint64_t bytes_done, const char *current);
/* Erase the bar so that a message can be printed on a clean line. */
void ws_progress_clear(ws_progress *p);
void ws_progress_finish(ws_progress *p);
void ws_progress_free(ws_progress *p);

#endif
