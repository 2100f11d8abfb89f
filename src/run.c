/*
 * run.c: what becomes of each import run, by hand or unattended (a card,
 * the nightly ingest, a watch batch). import_run() calls run_begin() and
 * run_finish(): the run is recorded in the catalogue's runs table, a run
 * that failed is said at the journal's error priority, and the config's
 * on_complete or on_error command is run with the summary in its
 * environment (SHOEBOX_EVENT, SHOEBOX_IMPORTED ...), e.g. to notify a phone.
 * run_status() shows the last runs for "shoebox status".
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>
#include <sqlite3.h>

#include "shoebox.h"
#include "catalog.h"

#define RUNS_KEPT	1000	/* rows kept in the runs table */
#define HOOK_TIMEOUT	120	/* seconds a hook may take before it is stopped */

/* Start a run of command over the sources src[0..nsrc-1]. */
void
run_begin(struct run_result *r, const char *command, int nsrc, char **src)
{
	memset(r, 0, sizeof *r);
	r->command = command;
	r->nsrc = nsrc;
	r->src = src;
	r->started = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	log_problem_reset();
}

/*
 * Did the run fail: files failed or were not attempted, it was cut short,
 * or it could not run? Its exit status says so; warnings alone (damaged
 * headers, names that are not UTF-8: the files were filed) exit 0.
 */
static int
run_failed(const struct run_result *r)
{
	return r->failed > 0 || r->interrupted || r->exit_status != 0;
}

/* The run's problems in one line ("" when there were none). */
static void
run_error(const struct run_result *r, char *buf, size_t size)
{
	size_t	n = 0;

	buf[0] = '\0';
#define ADD(...) do {							\
	if (n < size)							\
		n += (size_t)snprintf(buf + n, size - n, "%s", n ? ", " : ""); \
	if (n < size)							\
		n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__);	\
} while (0)
	if (r->exit_status >= 2 && r->seen == 0)
		ADD("could not run (exit %d)", r->exit_status);
	else if (r->exit_status >= 2)
		ADD("a source, the config or the library was wrong (exit %d)",
		    r->exit_status);
	if (r->failed > 0)
		ADD("%lu failed", r->failed);
	if (r->interrupted)
		ADD("interrupted");
	if (r->warnings > 0)
		ADD("%lu with warnings", r->warnings);
	if (n == 0 && r->exit_status != 0)
		ADD("exit %d", r->exit_status);
	if (n > 0 && log_problem()[0] != '\0')
		ADD("first: %s", log_problem());
#undef ADD
}

/* The sources as a JSON array, printable names; caller frees. */
static char *
run_sources_json(const struct run_result *r)
{
	struct json_object	*a = json_object_new_array();
	char			 p[PATH_MAX * 2], *s;
	int			 i;

	for (i = 0; i < r->nsrc; i++)
		json_object_array_add(a, json_object_new_string(
		    log_path(r->src[i], p, sizeof p)));
	s = xstrdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a);
	return s;
}

/*
 * Add the run to the runs table of the library's catalogue, if the library
 * has one (a run that failed before creating it leaves none). Returns the
 * row's id, or 0.
 */
static int64_t
run_record(struct sb_ctx *ctx, const struct run_result *r, const char *err)
{
	struct catalog	*cat;
	sqlite3_stmt	*st;
	struct sb_time	 t;
	char		*sources, started[40], ended[40];
	int64_t		 id = 0;
	int		 i = 1;

	if (ctx->library == NULL)
		return 0;
	if (!catalog_exists(ctx->library) ||
	    catalog_open_failed(ctx->library) || r->cat_stopped)
		return 0;	/* said already, and not to be written to */
	if ((cat = catalog_open(ctx->library, 0)) == NULL)
		return 0;
	memset(&t, 0, sizeof t);
	t.has_utc = 1;
	t.utc = (int64_t)r->started;
	date_format_utc(&t, started, sizeof started);
	catalog_now(ended, sizeof ended);
	sources = run_sources_json(r);
	if ((st = catalog_prepare(cat, "INSERT INTO runs (command, started_at,"
	    " ended_at, sources, seen, imported, duplicates, sidecars, already,"
	    " skipped, waiting, failed, warnings, bytes, exit_status, outcome,"
	    " error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?)")) != NULL) {
		sqlite3_bind_text(st, i++, r->command, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, i++, started, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, i++, ended, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, i++, sources, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->seen);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->imported);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->duplicates);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->sidecars);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->already);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->skipped);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->waiting);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->failed);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->warnings);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->bytes);
		sqlite3_bind_int(st, i++, r->exit_status);
		sqlite3_bind_text(st, i++, run_failed(r) ? "error" : "complete",
		    -1, SQLITE_STATIC);
		catalog_bind_text(st, i++, err);
		if (sqlite3_step(st) == SQLITE_DONE)
			id = sqlite3_last_insert_rowid(cat->db);
		else
			catalog_error(cat, "recording the run");
		sqlite3_finalize(st);
	}
	if (id > RUNS_KEPT && (st = catalog_prepare(cat, "DELETE FROM runs "
	    "WHERE id <= ?")) != NULL) {
		sqlite3_bind_int64(st, 1, id - RUNS_KEPT);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	free(sources);
	catalog_close(cat);
	return id;
}

static void
run_setenv_num(const char *name, unsigned long long v)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%llu", v);
	setenv(name, buf, 1);
}

/* In the hook's child: its environment, then the command. Never returns. */
static void
run_hook_exec(struct sb_ctx *ctx, const struct run_result *r, int64_t id,
    const char *event, const char *err, const char *cmd)
{
	sigset_t	 none;
	char		*sources = NULL, *s, p[PATH_MAX * 2];
	size_t		 len = 0;
	int		 i, fd;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (i = 0; i < r->nsrc; i++) {
		log_path(r->src[i], p, sizeof p);
		sources = xreallocarray(sources, 1, len + strlen(p) + 2);
		s = sources + len;
		len += (size_t)sprintf(s, "%s%s", len ? "\n" : "", p);
	}
	setenv("SHOEBOX_EVENT", event, 1);
	setenv("SHOEBOX_COMMAND", r->command, 1);
	setenv("SHOEBOX_SOURCES", sources != NULL ? sources : "", 1);
	if (ctx->library != NULL)
		setenv("SHOEBOX_LIBRARY", ctx->library, 1);
	run_setenv_num("SHOEBOX_RUN_ID", (unsigned long long)id);
	run_setenv_num("SHOEBOX_SEEN", r->seen);
	run_setenv_num("SHOEBOX_IMPORTED", r->imported);
	run_setenv_num("SHOEBOX_DUPLICATES", r->duplicates);
	run_setenv_num("SHOEBOX_SIDECARS", r->sidecars);
	run_setenv_num("SHOEBOX_ALREADY", r->already);
	run_setenv_num("SHOEBOX_SKIPPED", r->skipped);
	run_setenv_num("SHOEBOX_WAITING", r->waiting);
	run_setenv_num("SHOEBOX_FAILED", r->failed);
	run_setenv_num("SHOEBOX_WARNINGS", r->warnings);
	run_setenv_num("SHOEBOX_BYTES", r->bytes);
	run_setenv_num("SHOEBOX_EXIT", (unsigned long long)r->exit_status);
	setenv("SHOEBOX_INTERRUPTED", r->interrupted ? "1" : "0", 1);
	setenv("SHOEBOX_ERROR", err, 1);
	/* Nothing to read; what it says goes where our messages go. */
	if ((fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, STDIN_FILENO);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	dup2(STDERR_FILENO, STDOUT_FILENO);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/*
 * Run the config's on_error (a failed run) or on_complete command with
 * /bin/sh, the summary in its environment, and wait for it (at most
 * HOOK_TIMEOUT seconds). Its own failure is a warning, never the run's.
 */
static void
run_hook(struct sb_ctx *ctx, const struct run_result *r, int64_t id,
    const char *err)
{
	const char	*event, *cmd = NULL, *key = "on_complete";
	struct timespec	 nap = { 0, 50 * 1000 * 1000 };
	pid_t		 pid, w;
	int		 status = 0, waited = 0, killed = 0;

	event = run_failed(r) ? "error" : "complete";
	if (run_failed(r) && (cmd = config_get(ctx->cfg, "", "on_error")) !=
	    NULL)
		key = "on_error";
	if (cmd == NULL)
		cmd = config_get(ctx->cfg, "", "on_complete");
	if (cmd == NULL || *cmd == '\0')
		return;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		log_warn("%s", key);
		return;
	}
	if (pid == 0)
		run_hook_exec(ctx, r, id, event, err, cmd);
	for (;;) {
		if ((w = waitpid(pid, &status, WNOHANG)) == pid)
			break;
		if (w == -1 && errno != EINTR) {
			log_warn("%s: wait", key);
			return;
		}
		nanosleep(&nap, NULL);
		waited++;
		if (waited == HOOK_TIMEOUT * 20) {
			log_warnx("%s: still running after %d s; stopped", key,
			    HOOK_TIMEOUT);
			kill(-pid, SIGTERM);
			killed = 1;
		} else if (waited == (HOOK_TIMEOUT + 5) * 20)
			kill(-pid, SIGKILL);
	}
	if (!killed && WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warnx("%s: '%s' exited %d", key, cmd, WEXITSTATUS(status));
	else if (!killed && WIFSIGNALED(status))
		log_warnx("%s: '%s' killed by signal %d", key, cmd,
		    WTERMSIG(status));
}

/*
 * The run is over: record it, say so if it failed, run the hook. Nothing
 * of a dry run. Returns the run's exit status.
 */
int
run_finish(struct sb_ctx *ctx, const struct run_result *r)
{
	char	err[1024], p[PATH_MAX * 2];
	int64_t	id;

	if (r->dry_run)
		return r->exit_status;
	run_error(r, err, sizeof err);
	/*
	 * In the journal, one error line says the run failed and why (a
	 * unit's log is read run by run); on a terminal the messages above
	 * said it already.
	 */
	if (run_failed(r) && log_to_journal())
		log_errorx("%s of %s%s failed: %s", r->command, r->nsrc > 0 ?
		    log_path(r->src[0], p, sizeof p) : "nothing", r->nsrc > 1 ?
		    " ..." : "", err);
	id = run_record(ctx, r, err);
	run_hook(ctx, r, id, err);
	return r->exit_status;
}

/* One run of the runs table as JSON (the current row of st). */
static struct json_object *
run_json(sqlite3_stmt *st)
{
	static const char *const names[] = { "id", "command", "started_at",
	    "ended_at", "sources", "seen", "imported", "duplicates",
	    "sidecars", "already", "skipped", "waiting", "failed", "warnings",
	    "bytes", "exit_status", "outcome", "error" };
	struct json_object	*o = json_object_new_object();
	size_t			 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = (const char *)sqlite3_column_text(st, (int)i);

		if (strcmp(names[i], "sources") == 0)
			json_object_object_add(o, names[i], v != NULL ?
			    json_tokener_parse(v) : NULL);
		else if (sqlite3_column_type(st, (int)i) == SQLITE_INTEGER)
			json_object_object_add(o, names[i],
			    json_object_new_int64(sqlite3_column_int64(st,
			    (int)i)));
		else
			json_add_str(o, names[i], v);
	}
	return o;
}

/* The sources column ("[\"/a\",\"/b\"]") as "/a, /b" into buf. */
static const char *
run_sources_text(const char *json, char *buf, size_t size)
{
	struct json_object	*a = json != NULL ? json_tokener_parse(json) :
				    NULL;
	size_t			 i, n = 0;

	buf[0] = '\0';
	for (i = 0; a != NULL && json_object_is_type(a, json_type_array) &&
	    i < json_object_array_length(a) && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
		    json_object_get_string(json_object_array_get_idx(a, i)));
	json_object_put(a);
	return buf;
}

/*
 * Show the last n runs, newest first: a "last runs:" block of text, or one
 * {"runs": [...]} line of JSON. Nothing for a catalogue from before runs
 * were recorded. 0, or -1 after saying why (the catalogue is damaged).
 */
int
run_status(struct catalog *cat, int json, int n)
{
	struct json_object	*o = NULL, *arr = NULL;
	sqlite3_stmt		*st;
	char			 src[1024], esc[4096];
	int			 have = 0, any = 0, rc;

	if (sqlite3_prepare_v2(cat->db, "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = 'runs'", -1, &st, NULL) != SQLITE_OK)
		return catalog_error(cat, "looking for past runs");
	rc = sqlite3_step(st);
	have = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return catalog_error(cat, "looking for past runs");
	if (!have)
		return 0;
	if ((st = catalog_prepare(cat, "SELECT id, command, "
	    "started_at, ended_at, sources, seen, imported, duplicates, "
	    "sidecars, already, skipped, waiting, failed, warnings, bytes, "
	    "exit_status, outcome, error FROM runs ORDER BY id DESC "
	    "LIMIT ?")) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, n);
	if (json) {
		o = json_object_new_object();
		arr = json_object_new_array();
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char	*outcome = (const char *)sqlite3_column_text(st,
				    16);
		const char	*err = (const char *)sqlite3_column_text(st, 17);

		if (json) {
			json_object_array_add(arr, run_json(st));
			continue;
		}
		if (!any++)
			printf("last runs:\n");
		printf("  %s %s %s: %lld imported, %lld duplicates, %lld "
		    "already imported, %lld failed, %lld left for later  %s\n",
		    sqlite3_column_text(st, 2), sqlite3_column_text(st, 1),
		    outcome != NULL && strcmp(outcome, "error") == 0 ? "FAILED" :
		    err != NULL ? "ok with warnings" : "ok",
		    sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7),
		    sqlite3_column_int64(st, 9), sqlite3_column_int64(st, 12),
		    sqlite3_column_int64(st, 11), run_sources_text(
		    (const char *)sqlite3_column_text(st, 4), src, sizeof src));
		/*
		 * The error is a message as it was printed, its names already
		 * escaped: a backslash doubled again would make the \x0a of
		 * a name with a newline read as a name with a backslash.
		 */
		if (err != NULL)
			printf("    %s\n", log_escape(err, esc, sizeof esc, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_object_put(arr);
		json_object_put(o);
		return catalog_error(cat, "reading past runs");
	}
	if (json) {
		json_object_object_add(o, "runs", arr);
		json_print(o);
	}
	return 0;
}
