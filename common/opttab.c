/* opttab.c - one table of options for getopt, --help, suggestions and
 * shell completions (see opttab.h).  Option names are ASCII. */
#include "opttab.h"

#include <ctype.h>
#include <string.h>

void ws_opttab_getopt(const ws_opttab *t, const char *prefix, struct option *longopts, char *shortopts)
{
	size_t ns = 0;
	for (const char *p = prefix; p && *p; p++)
		shortopts[ns++] = *p;
	for (size_t i = 0; i < t->n; i++) {
		const ws_optdef *d = &t->defs[i];
		longopts[i] = (struct option){d->name, d->value != WS_OPTVAL_NONE ? required_argument : no_argument, NULL,
		                              d->val};
		if (d->short_name) {
			shortopts[ns++] = d->short_name;
			if (d->value != WS_OPTVAL_NONE)
				shortopts[ns++] = ':';
		}
	}
	shortopts[ns] = '\0';
	memset(&longopts[t->n], 0, sizeof longopts[t->n]);
}

const ws_optdef *ws_opttab_find(const ws_opttab *t, const char *name, char c)
{
	size_t len = name ? strcspn(name, "=") : 0;
	for (size_t i = 0; i < t->n; i++) {
		const ws_optdef *d = &t->defs[i];
		if (name ? strlen(d->name) == len && !strncmp(d->name, name, len) : c && d->short_name == c)
			return d;
	}
	return NULL;
}

/* Edit distance of a[0..n) and b[0..m) where swapping two neighbours is
 * one edit (optimal string alignment); names are short. */
static size_t distance(const char *a, size_t n, const char *b, size_t m)
{
	enum { MAX = 40 };
	size_t d[MAX + 1][MAX + 1];
	if (n > MAX || m > MAX)
		return (size_t)-1;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[n][m];
}

const ws_optdef *ws_opttab_suggest(const ws_opttab *t, const char *arg)
{
	if (arg[0] != '-')
		return NULL;
	if (arg[1] != '-') {
		/* "-v" for "-V": a short option in the other case */
		if (!arg[1] || arg[2])
			return NULL;
		for (size_t i = 0; i < t->n; i++) {
			char s = t->defs[i].short_name;
			if (s && tolower((unsigned char)s) == tolower((unsigned char)arg[1]))
				return &t->defs[i];
		}
		return NULL;
	}
	const char *name = arg + 2;
	size_t len = strcspn(name, "=");
	const ws_optdef *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < t->n; i++) {
		const char *cand = t->defs[i].name;
		size_t cl = strlen(cand);
		size_t d = distance(name, len, cand, cl);
		size_t allowed = (cl > len ? cl : len) / 3;
		if (allowed < 1)
			allowed = 1;
		if (d <= allowed && d < best_d) {
			best = &t->defs[i];
			best_d = d;
		}
	}
	return best;
}

void ws_opttab_help(const ws_opttab *t, FILE *out)
{
	for (size_t i = 0; i < t->n; i++) {
		const ws_optdef *d = &t->defs[i];
		char left[64];
		int n;
		const char *sep = d->short_name ? " " : "=";
		if (d->short_name)
			n = snprintf(left, sizeof left, "-%c, --%s%s%s", d->short_name, d->name, d->arg ? sep : "",
			             d->arg ? d->arg : "");
		else
			n = snprintf(left, sizeof left, "    --%s%s%s", d->name, d->arg ? sep : "", d->arg ? d->arg : "");
		if (n > 22)
			fprintf(out, "  %s\n  %-22s%s\n", left, "", d->help);
		else
			fprintf(out, "  %-22s%s\n", left, d->help);
	}
}

/* The name of the shell function for prog: "_wensou_search". */
static void func_name(const char *prog, char *buf, size_t size)
{
	size_t k = 0;
	buf[k++] = '_';
	for (const char *p = prog; *p && k + 1 < size; p++)
		buf[k++] = isalnum((unsigned char)*p) ? *p : '_';
	buf[k] = '\0';
}

static void bash_case(const ws_opttab *t, ws_optval kind, const char *choices, const char *reply, FILE *out)
{
	bool any = false;
	for (size_t i = 0; i < t->n; i++) {
		const ws_optdef *d = &t->defs[i];
		if (d->value != kind || (kind == WS_OPTVAL_CHOICE && strcmp(d->choices, choices)))
			continue;
		fprintf(out, "%s", any ? "|" : "\t\t");
		if (d->short_name)
			fprintf(out, "-%c|", d->short_name);
		fprintf(out, "--%s", d->name);
		any = true;
	}
	if (any)
		fprintf(out, ")\n\t\t\t%s\n\t\t\treturn ;;\n", reply);
}

static bool bash(const ws_opttab *t, FILE *out)
{
	char fn[64];
	func_name(t->prog, fn, sizeof fn);
	fprintf(out,
	        "# bash completion for %s (made by %s --completions bash)\n"
	        "%s()\n{\n"
	        "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=\n"
	        "\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	        "\t# bash splits --opt=value at the '=' (COMP_WORDBREAKS)\n"
	        "\tif [ \"$cur\" = \"=\" ]; then\n\t\tcur=\n"
	        "\telif [ \"$prev\" = \"=\" ] && [ \"$COMP_CWORD\" -gt 1 ]; then\n"
	        "\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n\tfi\n"
	        "\tCOMPREPLY=()\n"
	        "\tcase $prev in\n",
	        t->prog, t->prog, fn);
	/* each distinct set of choices gets its own case */
	for (size_t i = 0; i < t->n; i++) {
		const ws_optdef *d = &t->defs[i];
		if (d->value != WS_OPTVAL_CHOICE)
			continue;
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = !(t->defs[j].value == WS_OPTVAL_CHOICE && !strcmp(t->defs[j].choices, d->choices));
		if (!first)
			continue;
		char reply[256];
		snprintf(reply, sizeof reply, "COMPREPLY=($(compgen -W '%s' -- \"$cur\"))", d->choices);
		bash_case(t, WS_OPTVAL_CHOICE, d->choices, reply, out);
	}
	bash_case(t, WS_OPTVAL_DIR, NULL, "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))", out);
	bash_case(t, WS_OPTVAL_FILE, NULL, "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))", out);
	bash_case(t, WS_OPTVAL_ANY, NULL, ":", out);
	fprintf(out, "\tesac\n\tcase $cur in\n\t-*)\n\t\tCOMPREPLY=($(compgen -W '");
	for (size_t i = 0; i < t->n; i++) {
		if (t->defs[i].short_name)
			fprintf(out, "-%c ", t->defs[i].short_name);
		fprintf(out, "--%s%s", t->defs[i].name, i + 1 < t->n ? " " : "");
	}
	fprintf(out, "' -- \"$cur\"))\n\t\treturn ;;\n\tesac\n");
	if (t->operands == WS_OPTVAL_FILE || t->operands == WS_OPTVAL_DIR)
		fprintf(out, "\tcompopt -o filenames 2>/dev/null\n\tCOMPREPLY=($(compgen -%c -- \"$cur\"))\n",
		        t->operands == WS_OPTVAL_DIR ? 'd' : 'f');
	fprintf(out, "}\ncomplete -F %s %s\n", fn, t->prog);
	return !ferror(out);
}

/* s for a single-quoted _arguments description: brackets and colons
 * would end its fields, a quote the shell word. */
static void zsh_text(const char *s, FILE *out)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else if (*s == '[' || *s == ']' || *s == ':' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else
			fputc(*s, out);
	}
}

static void zsh_action(const ws_optdef *d, FILE *out)
{
	if (d->value == WS_OPTVAL_NONE)
		return;
	fputc(':', out);
	zsh_text(d->arg ? d->arg : "value", out);
	switch (d->value) {
	case WS_OPTVAL_DIR: fputs(":_files -/", out); break;
	case WS_OPTVAL_FILE: fputs(":_files", out); break;
	case WS_OPTVAL_CHOICE: fprintf(out, ":(%s)", d->choices); break;
	default: fputs(": ", out); break;
	}
}

static bool zsh(const ws_opttab *t, FILE *out)
{
	fprintf(out, "#compdef %s\n# zsh completion for %s (made by %s --completions zsh)\n_arguments -s -S \\\n", t->prog,
	        t->prog, t->prog);
	for (size_t i = 0; i < t->n; i++) {
		const ws_optdef *d = &t->defs[i];
		bool val = d->value != WS_OPTVAL_NONE;
		fputs("\t", out);
		if (d->short_name)
			fprintf(out, "'(-%c --%s)'{-%c%s,--%s%s}'", d->short_name, d->name, d->short_name, val ? "+" : "",
			        d->name, val ? "=" : "");
		else
			fprintf(out, "'--%s%s", d->name, val ? "=" : "");
		fputc('[', out);
		zsh_text(d->help, out);
		fputc(']', out);
		zsh_action(d, out);
		fputs("' \\\n", out);
	}
	switch (t->operands) {
	case WS_OPTVAL_DIR: fputs("\t'*:folder:_files -/'\n", out); break;
	case WS_OPTVAL_FILE: fputs("\t'*:path:_files'\n", out); break;
	default: fputs("\t'*:query: '\n", out); break;
	}
	return !ferror(out);
}

bool ws_opttab_completion(const ws_opttab *t, const char *shell, FILE *out)
{
	if (!strcmp(shell, "bash"))
		return bash(t, out);
	if (!strcmp(shell, "zsh"))
		return zsh(t, out);
	return false;
}
