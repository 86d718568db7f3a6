/* output.c - the end of a program's standard output (output.h). */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool ws_stdout_flushed(const char *prog)
{
	/* What the last flush says: a write that failed before it (a closed
	 * pipe the program already let go, a full disk) fails again here
	 * when there is output left, with its errno. */
	if (fflush(stdout) == 0 || errno == EPIPE)
		return true;
	fprintf(stderr, "%s: cannot write to standard output: %s\n", prog, strerror(errno));
	return false;
}
