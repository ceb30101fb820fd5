// SPDX-License-Identifier: GPL-2.0
/*
 * doorprof - per-function guest instruction counts of one null round trip,
 * from a function_graph trace taken in the icount guest (tools/profile.sh).
 *
 *   doorprof --trace FILE --label NAME --start FUNC --plain N --traced N
 *            [--kallsyms FILE] [--syscall N] [--syscalls N] [--tree]
 *
 *   --trace    /sys/kernel/tracing/trace after `doorbench --trace`, taken
 *              with function_graph, funcgraph-proc on, funcgraph-cpu,
 *              funcgraph-overhead, funcgraph-irqs and sleep-time off, and
 *              the processes named db-client and db-server (doorbench
 *              does that; comm is shown truncated to 7 characters)
 *   --label    the case's name in the output
 *   --start    the client's first system call of a round trip (its
 *              depth-0 frame starts a new round trip): __x64_sys_ioctl,
 *              __x64_sys_write
 *   --plain    the case's median round trip without tracing (insn)
 *   --traced   its median round trip with tracing on (insn)
 *   --kallsyms /proc/kallsyms: functions marked [door] are door.ko's
 *   --syscall  the untraced cost of one system call's entry and exit
 *              (a getppid round trip minus its traced part, which
 *              profile-guest.sh measures with doorprof first), to split
 *              the untraced remainder into entry/exit and user space
 *   --syscalls the system calls in one round trip (default 2: the
 *              client's door call and the server's door return)
 *   --no-span  take the traced round trip from --traced, not from the
 *              kept round trips' time stamps (funcgraph-abstime)
 *   --loop-bias what a time-stamp span holds beyond the timed round trip
 *              (the client's clock reads and loop): profile-guest.sh
 *              takes it from getppid's span minus its traced median
 *   --any-task every task counts as the client (a one-process loop whose
 *              comm the tracer may not have recorded under its new name)
 *   --tree     also print the call tree of the most typical round trip
 *
 * Under QEMU -icount shift=0 one guest nanosecond is one guest
 * instruction, so function_graph's durations count instructions.  They
 * include the tracer's own work, which is removed as follows.  Each traced
 * call costs O extra instructions in all, of which c_in fall inside its
 * own measured duration (the entry event is written after the call time is
 * taken).  O is (traced - plain) / calls per round trip; c_in is the
 * shortest leaf duration seen.  A call with measured duration d, k
 * children and D descendants then has
 *   inclusive = d - c_in - D * O
 *   exclusive = (d - sum of its children's d) - c_in - k * (O - c_in)
 * which adds up, over the round trip, to the plain figure minus what
 * function_graph cannot see: the system call entry/exit assembly, the
 * notrace entry code and user space.  Estimates, to within a few
 * instructions a call; the tracer does not change the path itself.
 *
 * The round trips are cut at the client's depth-0 --start frames.  Only
 * the typical ones are kept: those with the most frequent number of traced
 * calls whose measured total is within 1.5% of the median of those (a timer
 * interrupt or a slow path drops a round trip).  The profile is the mean
 * over the kept round trips.
 *
 * Categories (exclusive counts, by the nearest classifying frame from the
 * function itself upwards): locks (spin/mutex/rwsem/rcu lock functions),
 * copies (user copies, memcpy/memset, object size checks), wakeup
 * (try_to_wake_up, wake_up*, yield_to and below), context switch
 * (schedule and below, FPU state restore), door.ko logic (door.ko
 * functions and the kernel helpers they call that are none of the above),
 * syscall entry/exit (the rest: ioctl/read/write dispatch, fd lookup,
 * exit-to-user work).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXFUNC		8192
#define MAXDEPTH	128
#define MAXTASK		16

enum cat { C_SYSCALL, C_COPY, C_LOCK, C_WAKE, C_SWITCH, C_DOOR, C_NCAT };

static const char *const cat_name[C_NCAT] = {
	[C_SYSCALL] = "syscall entry/exit (traced part)",
	[C_COPY] = "copies",
	[C_LOCK] = "locks",
	[C_WAKE] = "wakeup",
	[C_SWITCH] = "context switch",
	[C_DOOR] = "door.ko logic",
};

enum role { R_CLIENT, R_SERVER, R_OTHER, R_NROLE };

static const char *role_name[R_NROLE] = {
	[R_CLIENT] = "client (door_call path)",
	[R_SERVER] = "server (door_return path)",
	[R_OTHER] = "other tasks",
};

/* One finished call. */
struct inst {
	int fid;
	int rt;
	unsigned char role, cat, leaf, depth;
	unsigned char tracer;	/* the tracer's own probe, or under it */
	unsigned char outer_tracer;	/* the outermost such frame */
	long long d;		/* measured duration */
	long long excl;		/* d minus the children's d */
	int k, desc;		/* children, descendants */
	int line;		/* index of its closing/leaf line */
};

struct frame {
	int fid;
	unsigned char cat, tracer;
	long long child_d;
	int k, desc;
	int line;		/* opening line */
	long long ts;		/* its time stamp, -1 if none */
};

struct task {
	int pid;
	int role;
	int depth;
	struct frame st[MAXDEPTH];
};

static char *fname[MAXFUNC];
static int isdoor[MAXFUNC];
static int nfunc;
static struct inst *insts;
static size_t ninst, capinst;
static struct task tasks[MAXTASK];
static int ntask;
static char **lines;
static size_t nlines;
static int *rt_first_line;	/* line where round trip i starts */
static long long *rt_ts;	/* its time stamp (funcgraph-abstime), or -1 */
static int nrt;
static char **door_syms;
static int all_client;		/* --any-task: every task is the client */
static size_t ndoor_syms;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "doorprof: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die("out of memory");
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_door_sym(const char *name)
{
	return ndoor_syms &&
	       bsearch(&name, door_syms, ndoor_syms, sizeof(char *), cmp_str);
}

static void read_kallsyms(const char *path)
{
	char line[512], name[256], type;
	unsigned long long addr;
	FILE *f = fopen(path, "r");

	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[door]"))
			continue;
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T')
			continue;
		door_syms = xrealloc(door_syms, (ndoor_syms + 1) * sizeof(char *));
		door_syms[ndoor_syms++] = strdup(name);
	}
	fclose(f);
	qsort(door_syms, ndoor_syms, sizeof(char *), cmp_str);
}

static int func_id(const char *name, int door)
{
	int i;

	/* Few distinct functions: a linear search from the top is enough. */
	for (i = nfunc - 1; i >= 0; i--)
		if (!strcmp(fname[i], name))
			return i;
	if (nfunc == MAXFUNC)
		die("too many functions");
	fname[nfunc] = strdup(name);
	isdoor[nfunc] = door || is_door_sym(name);
	return nfunc++;
}

static int has(const char *s, const char *w)
{
	return strstr(s, w) != NULL;
}

/* The category a function sets for itself and what it calls, or -1. */
static int classify(int fid)
{
	const char *n = fname[fid];

	if (has(n, "spin_lock") || has(n, "spin_unlock") ||
	    has(n, "spin_trylock") || has(n, "mutex_lock") ||
	    has(n, "mutex_unlock") || has(n, "mutex_trylock") ||
	    has(n, "rwsem") || has(n, "down_read") || has(n, "up_read") ||
	    has(n, "down_write") || has(n, "up_write") ||
	    has(n, "rcu_read_lock") || has(n, "rcu_read_unlock") ||
	    has(n, "rq_lock") || has(n, "rq_unlock"))
		return C_LOCK;
	if (has(n, "copy_from_user") || has(n, "copy_to_user") ||
	    has(n, "_copy_") || has(n, "check_object_size") ||
	    has(n, "check_heap_object") || has(n, "check_stack_object") ||
	    !strncmp(n, "memcpy", 6) || !strncmp(n, "memset", 6) ||
	    !strncmp(n, "memmove", 7) || !strncmp(n, "__memcpy", 8) ||
	    !strncmp(n, "__memset", 8) || has(n, "copy_user"))
		return C_COPY;
	if (isdoor[fid])
		return C_DOOR;
	if (!strcmp(n, "try_to_wake_up") || !strncmp(n, "wake_up", 7) ||
	    !strncmp(n, "__wake_up", 9) || !strncmp(n, "wake_q", 6) ||
	    !strncmp(n, "yield_to", 8) || !strncmp(n, "ttwu", 4) ||
	    !strncmp(n, "__ttwu", 6) || !strncmp(n, "eventfd_signal", 14))
		return C_WAKE;
	if (!strcmp(n, "schedule") || !strncmp(n, "__schedule", 10) ||
	    !strncmp(n, "schedule_", 9) || has(n, "finish_task_switch") ||
	    has(n, "__switch_to") || has(n, "switch_fpu") ||
	    has(n, "restore_fpregs") || has(n, "save_fpregs") || has(n, "fpu__"))
		return C_SWITCH;
	return -1;
}

/*
 * Tracepoint iterators run the tracer's own probes: function_graph hooks
 * sched_switch (for sleep-time accounting), which an untraced kernel does
 * not run at all.  Their time is the tracer's.
 */
static int is_tracer(const char *n)
{
	return !strncmp(n, "__traceiter_", 12) || !strncmp(n, "ftrace_", 7) ||
	       !strncmp(n, "trace_", 6);
}

static struct task *task_of(int pid, const char *comm)
{
	int i;

	for (i = 0; i < ntask; i++)
		if (tasks[i].pid == pid)
			return &tasks[i];
	if (ntask == MAXTASK)
		die("too many tasks");
	memset(&tasks[ntask], 0, sizeof(tasks[ntask]));
	tasks[ntask].pid = pid;
	if (all_client || !strncmp(comm, "db-clie", 7))
		tasks[ntask].role = R_CLIENT;
	else if (!strncmp(comm, "db-serv", 7))
		tasks[ntask].role = R_SERVER;
	else
		tasks[ntask].role = R_OTHER;
	return &tasks[ntask++];
}

static void add_inst(const struct inst *in)
{
	if (ninst == capinst) {
		capinst = capinst ? 2 * capinst : 65536;
		insts = xrealloc(insts, capinst * sizeof(*insts));
	}
	insts[ninst++] = *in;
}

/* "  0.742 us" -> 742; -1 if there is no duration. */
static long long parse_dur(const char *s)
{
	long long whole = 0, frac = 0;
	int nd = 0, seen = 0;

	while (*s && !(*s >= '0' && *s <= '9'))
		s++;
	while (*s >= '0' && *s <= '9') {
		whole = whole * 10 + (*s++ - '0');
		seen = 1;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9' && nd < 3) {
			frac = frac * 10 + (*s++ - '0');
			nd++;
		}
	}
	if (!seen)
		return -1;
	while (nd++ < 3)
		frac *= 10;
	while (*s == ' ')
		s++;
	if (!strncmp(s, "ms", 2))
		return whole * 1000000 + frac * 1000;
	if (!strncmp(s, "s", 1) && strncmp(s, "us", 2))
		return whole * 1000000000LL + frac * 1000000;
	return whole * 1000 + frac;	/* us */
}

static void trim(char *s)
{
	char *e = s + strlen(s);

	while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
}

/*
 * One line of function_graph output, "COMM-PID | DURATION | TEXT" with
 * TEXT one of "f() {", "f();", "}" or "} /" "* f *" "/".
 */
static void parse_line(int li, const char *start_fn)
{
	char buf[512], *bar1, *bar2, *proc, *dur, *text, *dash, *p, *start;
	struct task *t;
	struct frame *fr;
	struct inst in;
	long long d, ts = -1;
	int pid, fid, depth, c;

	snprintf(buf, sizeof(buf), "%s", lines[li]);
	if (buf[0] == '#')
		return;
	start = buf;
	/* funcgraph-abstime: "  SECONDS.MICROS |" before the task. */
	for (p = buf; *p == ' '; p++)
		;
	if (*p >= '0' && *p <= '9') {
		char *q = p;

		while ((*q >= '0' && *q <= '9') || *q == '.')
			q++;
		while (*q == ' ')
			q++;
		if (*q == '|') {
			unsigned long long sec = 0, us = 0;

			if (sscanf(p, "%llu.%llu", &sec, &us) == 2)
				ts = (long long)(sec * 1000000000ULL + us * 1000ULL);
			start = q + 1;
		}
	}
	bar1 = strchr(start, '|');
	if (!bar1)
		return;
	bar2 = strchr(bar1 + 1, '|');
	if (!bar2)
		return;
	*bar1 = *bar2 = '\0';
	proc = start;
	dur = bar1 + 1;
	text = bar2 + 1;
	while (*proc == ' ')
		proc++;
	trim(proc);
	dash = strrchr(proc, '-');
	if (!dash)
		return;
	pid = atoi(dash + 1);
	*dash = '\0';
	if (pid <= 0)
		return;
	t = task_of(pid, proc);
	trim(text);
	depth = t->depth;
	for (p = text; *p == ' '; p++)
		;
	if (!*p || !strncmp(p, "/*", 2))
		return;
	if (*p == '}') {
		if (!depth)
			return;		/* opened before tracing started */
		d = parse_dur(dur);
		if (d < 0)
			return;
		fr = &t->st[--t->depth];
		memset(&in, 0, sizeof(in));
		in.fid = fr->fid;
		in.rt = nrt - 1;
		in.role = (unsigned char)t->role;
		in.cat = fr->cat;
		in.depth = (unsigned char)t->depth;
		in.d = d;
		in.excl = d - fr->child_d;
		in.tracer = fr->tracer;
		in.outer_tracer = fr->tracer &&
				  !(t->depth && t->st[t->depth - 1].tracer);
		in.k = fr->k;
		in.desc = fr->desc;
		in.line = li;
		add_inst(&in);
		if (t->depth) {
			t->st[t->depth - 1].child_d += d;
			t->st[t->depth - 1].k++;
			t->st[t->depth - 1].desc += 1 + fr->desc;
		}
		return;
	}
	/* "name() {" or "name();" */
	{
		char name[256];
		size_t n = strcspn(p, "(");

		if (!p[n] || n >= sizeof(name))
			return;
		memcpy(name, p, n);
		name[n] = '\0';
		/* Module functions read "name [door]". */
		n = strcspn(name, " ");
		if (name[n])
			name[n] = '\0';
		fid = func_id(name, strstr(p, "[door]") != NULL);
		c = classify(fid);
		if (c < 0)
			c = depth ? t->st[depth - 1].cat : C_SYSCALL;
		/*
		 * A round trip starts with the client's first system call: a
		 * depth-0 frame, or depth 1 under the syscall table's
		 * dispatcher (x64_sys_call, where the kernel has it).
		 */
		if (t->role == R_CLIENT && depth <= 1 && !strcmp(name, start_fn) &&
		    (!depth || !strcmp(fname[t->st[0].fid], "x64_sys_call"))) {
			rt_first_line = xrealloc(rt_first_line,
						 (size_t)(nrt + 1) * sizeof(int));
			rt_ts = xrealloc(rt_ts, (size_t)(nrt + 1) * sizeof(long long));
			/* At depth 1 the round trip began at the parent's line. */
			rt_ts[nrt] = depth ? t->st[0].ts : ts;
			rt_first_line[nrt++] = depth ? t->st[0].line : li;
		}
		if (strstr(p, "{")) {
			if (depth == MAXDEPTH)
				die("call depth over %d", MAXDEPTH);
			fr = &t->st[t->depth++];
			memset(fr, 0, sizeof(*fr));
			fr->fid = fid;
			fr->cat = (unsigned char)c;
			fr->tracer = is_tracer(name) ||
				     (depth && t->st[depth - 1].tracer);
			fr->line = li;
			fr->ts = ts;
			return;
		}
		d = parse_dur(dur);
		if (d < 0)
			return;
		memset(&in, 0, sizeof(in));
		in.fid = fid;
		in.rt = nrt - 1;
		in.role = (unsigned char)t->role;
		in.cat = (unsigned char)c;
		in.leaf = 1;
		in.tracer = is_tracer(name) || (depth && t->st[depth - 1].tracer);
		in.outer_tracer = in.tracer && !(depth && t->st[depth - 1].tracer);
		in.depth = (unsigned char)depth;
		in.d = d;
		in.excl = d;
		in.line = li;
		add_inst(&in);
		if (depth) {
			t->st[depth - 1].child_d += d;
			t->st[depth - 1].k++;
			t->st[depth - 1].desc++;
		}
	}
}

static void read_trace(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, capl = 0;
	ssize_t n;

	if (!f)
		die("%s: %s", path, strerror(errno));
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (nlines == capl) {
			capl = capl ? 2 * capl : 65536;
			lines = xrealloc(lines, capl * sizeof(char *));
		}
		lines[nlines++] = strdup(line);
	}
	free(line);
	fclose(f);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

struct fstat {
	long long n, d, excl, k, desc;
};

static struct fstat (*fs)[R_NROLE];	/* per function and role */
static double (*catf)[C_NCAT];	/* exclusive per function and category, per round trip */
static int *order;
static int sort_role, sort_incl;
static double O, c_in, tracer_probe, traced_median;
static int span_rts;		/* round trips timed by their time stamps */
static double span_mean, loop_bias;
static int use_span = 1;
static int nkept;

static double incl_of(const struct fstat *s)
{
	return ((double)s->d - (double)s->n * c_in - (double)s->desc * O) / nkept;
}

static double excl_of(const struct fstat *s)
{
	return ((double)s->excl - (double)s->n * c_in -
		(double)s->k * (O - c_in)) / nkept;
}

static int cmp_func(const void *a, const void *b)
{
	const struct fstat *x = &fs[*(const int *)a][sort_role];
	const struct fstat *y = &fs[*(const int *)b][sort_role];
	double vx = sort_incl ? incl_of(x) : excl_of(x);
	double vy = sort_incl ? incl_of(y) : excl_of(y);

	return vx < vy ? 1 : vx > vy ? -1 : 0;
}

static void top_table(int role, int incl, int top)
{
	int i, shown = 0;

	sort_role = role;
	sort_incl = incl;
	for (i = 0; i < nfunc; i++)
		order[i] = i;
	qsort(order, (size_t)nfunc, sizeof(int), cmp_func);
	printf("\n**%s, top %d by %s count** (per round trip)\n\n", role_name[role],
	       top, incl ? "inclusive" : "exclusive");
	printf("| function | calls | inclusive | exclusive |\n|---|---:|---:|---:|\n");
	for (i = 0; i < nfunc && shown < top; i++) {
		const struct fstat *s = &fs[order[i]][role];

		if (!s->n)
			continue;
		printf("| %s%s | %.2g | %.0f | %.0f |\n", fname[order[i]],
		       isdoor[order[i]] ? " [door]" : "", (double)s->n / nkept,
		       incl_of(s), excl_of(s));
		shown++;
	}
}

static int sort_cat;

static int cmp_catf(const void *a, const void *b)
{
	double x = catf[*(const int *)a][sort_cat], y = catf[*(const int *)b][sort_cat];

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Each category's biggest functions (exclusive counts, both ends). */
static void by_category(void)
{
	int c, i, shown;

	printf("\n**By category: the functions with the largest exclusive counts** "
	       "(both ends, per round trip; a function counts in the category of its "
	       "nearest classifying caller)\n\n| category | functions |\n|---|---|\n");
	for (c = 0; c < C_NCAT; c++) {
		sort_cat = c;
		for (i = 0; i < nfunc; i++)
			order[i] = i;
		qsort(order, (size_t)nfunc, sizeof(int), cmp_catf);
		printf("| %s |", cat_name[c]);
		for (i = 0, shown = 0; i < nfunc && shown < 10; i++) {
			double v = catf[order[i]][c];

			if (v < 5)
				break;
			printf("%s %s %.0f", shown ? "," : "", fname[order[i]], v);
			shown++;
		}
		printf("%s |\n", shown ? "" : " —");
	}
}

int main(int argc, char **argv)
{
	const char *trace = NULL, *label = "case", *start = "__x64_sys_ioctl";
	const char *ksyms = NULL;
	double plain = 0, traced = 0, syscall_cost = 0, nsys = 2;
	int tree = 0, i, r;
	long long *rt_calls, *rt_tot, *tmp, mode_calls = 0, med_tot;
	char *keep;
	double catv[R_NROLE][C_NCAT], traced_sum = 0;
	long long best_dev = -1;
	int best_rt = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--trace") && i + 1 < argc)
			trace = argv[++i];
		else if (!strcmp(argv[i], "--label") && i + 1 < argc)
			label = argv[++i];
		else if (!strcmp(argv[i], "--start") && i + 1 < argc)
			start = argv[++i];
		else if (!strcmp(argv[i], "--plain") && i + 1 < argc)
			plain = atof(argv[++i]);
		else if (!strcmp(argv[i], "--traced") && i + 1 < argc)
			traced = atof(argv[++i]);
		else if (!strcmp(argv[i], "--kallsyms") && i + 1 < argc)
			ksyms = argv[++i];
		else if (!strcmp(argv[i], "--syscall") && i + 1 < argc)
			syscall_cost = atof(argv[++i]);
		else if (!strcmp(argv[i], "--syscalls") && i + 1 < argc)
			nsys = atof(argv[++i]);
		else if (!strcmp(argv[i], "--no-span"))
			use_span = 0;
		else if (!strcmp(argv[i], "--loop-bias") && i + 1 < argc)
			loop_bias = atof(argv[++i]);
		else if (!strcmp(argv[i], "--any-task"))
			all_client = 1;
		else if (!strcmp(argv[i], "--tree"))
			tree = 1;
		else
			die("usage: doorprof --trace FILE --plain N --traced N "
			    "[--label L] [--start FUNC] [--kallsyms FILE] "
			    "[--syscall N] [--tree]");
	}
	if (!trace || plain <= 0 || traced <= 0)
		die("--trace, --plain and --traced are needed");
	if (ksyms)
		read_kallsyms(ksyms);
	read_trace(trace);
	nrt = 0;
	for (i = 0; i < (int)nlines; i++)
		parse_line(i, start);
	/* Complete round trips: 0 .. nrt - 2 (the last one runs to the end). */
	if (nrt < 3)
		die("%s: only %d round trips in the trace", label, nrt);
	rt_calls = calloc((size_t)nrt, sizeof(long long));
	rt_tot = calloc((size_t)nrt, sizeof(long long));
	tmp = calloc((size_t)nrt, sizeof(long long));
	keep = calloc((size_t)nrt, 1);
	if (!rt_calls || !rt_tot || !tmp || !keep)
		die("out of memory");
	for (i = 0; i < (int)ninst; i++) {
		if (insts[i].rt < 0 || insts[i].tracer)
			continue;
		rt_calls[insts[i].rt]++;
		rt_tot[insts[i].rt] += insts[i].excl;
	}
	/* The most frequent call count among complete round trips (skip the first). */
	{
		int best = 0, j;

		for (r = 1; r < nrt - 1; r++) {
			int cnt = 0;

			for (j = 1; j < nrt - 1; j++)
				cnt += rt_calls[j] == rt_calls[r];
			if (cnt > best) {
				best = cnt;
				mode_calls = rt_calls[r];
			}
		}
	}
	{
		int n = 0;

		for (r = 1; r < nrt - 1; r++)
			if (rt_calls[r] == mode_calls)
				tmp[n++] = rt_tot[r];
		qsort(tmp, (size_t)n, sizeof(long long), cmp_ll);
		med_tot = tmp[n / 2];
	}
	nkept = 0;
	for (r = 1; r < nrt - 1; r++) {
		long long dev = rt_tot[r] - med_tot;

		if (dev < 0)
			dev = -dev;
		if (rt_calls[r] == mode_calls && dev * 200 <= med_tot * 3) {
			keep[r] = 1;
			nkept++;
			if (best_dev < 0 || dev < best_dev) {
				best_dev = dev;
				best_rt = r;
			}
		}
	}
	if (!nkept)
		die("no typical round trip");

	c_in = -1;
	for (i = 0; i < (int)ninst; i++)
		if (insts[i].rt >= 0 && keep[insts[i].rt] && insts[i].leaf &&
		    !insts[i].tracer && (c_in < 0 || insts[i].d < c_in))
			c_in = (double)insts[i].d;
	if (c_in < 0)
		c_in = 0;
	/*
	 * traced - plain = calls * O + the tracer's probes: each outermost
	 * probe call's measured d plus its own outside part, O - c_in.
	 */
	{
		double tr_d = 0, tr_n = 0;

		for (i = 0; i < (int)ninst; i++) {
			const struct inst *in = &insts[i];

			if (in->rt < 0 || !keep[in->rt] || !in->tracer)
				continue;
			if (in->outer_tracer) {
				tr_d += (double)in->d;
				tr_n += 1;
			}
		}
		tr_d /= nkept;
		tr_n /= nkept;
		/*
		 * The traced round trip: the mean time-stamp span of the kept
		 * round trips when the trace has funcgraph-abstime (so that a
		 * bimodal case is calibrated on the round trips profiled), else
		 * --traced, the median of the traced run.
		 */
		{
			double sum = 0;
			int n = 0;

			for (r = 1; r < nrt - 1; r++)
				if (keep[r] && rt_ts && rt_ts[r] >= 0 && rt_ts[r + 1] > rt_ts[r]) {
					sum += (double)(rt_ts[r + 1] - rt_ts[r]);
					n++;
				}
			traced_median = traced;
			if (n > 0)
				span_mean = sum / n;
			if (use_span && n >= nkept / 2 && n > 0) {
				traced = span_mean - loop_bias;
				span_rts = n;
			}
		}
		tracer_probe = tr_d - tr_n * c_in;
		O = (traced - plain - tr_d + tr_n * c_in) / ((double)mode_calls + tr_n);
		tracer_probe += tr_n * O;
	}
	if (c_in > O)
		c_in = 0;

	fs = calloc((size_t)nfunc, sizeof(*fs));
	catf = calloc((size_t)nfunc, sizeof(*catf));
	order = calloc((size_t)nfunc, sizeof(int));
	if (!fs || !order || !catf)
		die("out of memory");
	memset(catv, 0, sizeof(catv));
	for (i = 0; i < (int)ninst; i++) {
		const struct inst *in = &insts[i];
		struct fstat *s;
		double e;

		if (in->rt < 0 || !keep[in->rt] || in->tracer)
			continue;
		s = &fs[in->fid][in->role];
		s->n++;
		s->d += in->d;
		s->excl += in->excl;
		s->k += in->k;
		s->desc += in->desc;
		e = (double)in->excl - c_in - (double)in->k * (O - c_in);
		catv[in->role][in->cat] += e / nkept;
		catf[in->fid][in->cat] += e / nkept;
		traced_sum += e / nkept;
	}

	printf("@@DP-BEGIN %s\n", label);
	printf("### %s\n\n", label);
	printf("Round trips in the trace: %d complete, %d kept (%lld traced calls each, "
	       "measured total within 1.5%% of their median).  ", nrt - 2, nkept,
	       mode_calls);
	if (span_rts)
		printf("The traced round trip is the mean time-stamp span of the %d kept round trips "
		       "(so that the calibration matches the round trips profiled), %.0f, minus "
		       "%.0f for the client's clock reads and loop (measured on getppid); the "
		       "traced run's median was %.0f.  ", span_rts, span_mean, loop_bias,
		       traced_median);
	printf("Round trip without tracing %.0f, with tracing %.0f: the tracer adds "
	       "O = %.1f per traced call, c_in = %.0f of it inside the call's own "
	       "duration; its sched_switch probe (__traceiter_sched_switch, not run untraced) "
	       "took %.0f a round trip and is left out.\n\n", plain, traced, O, c_in,
	       tracer_probe);
	printf("| where | client | server | other | total |\n|---|---:|---:|---:|---:|\n");
	{
		int c;
		double rest = plain - traced_sum;

		for (c = 0; c < C_NCAT; c++)
			printf("| %s | %.0f | %.0f | %.0f | %.0f |\n", cat_name[c],
			       catv[R_CLIENT][c], catv[R_SERVER][c], catv[R_OTHER][c],
			       catv[R_CLIENT][c] + catv[R_SERVER][c] + catv[R_OTHER][c]);
		printf("| traced kernel, all | | | | %.0f |\n", traced_sum);
		if (syscall_cost > 0) {
			printf("| syscall entry/exit, untraced (%.0f x %.0f: a getppid round trip minus its traced part) | | | | %.0f |\n",
			       nsys, syscall_cost, nsys * syscall_cost);
			printf("| user space (the rest) | | | | %.0f |\n",
			       rest - nsys * syscall_cost);
		} else {
			printf("| untraced: syscall entry/exit code + user space | | | | %.0f |\n",
			       rest);
		}
		printf("| **round trip** | | | | **%.0f** |\n", plain);
	}
	by_category();
	top_table(R_CLIENT, 0, 15);
	top_table(R_CLIENT, 1, 15);
	top_table(R_SERVER, 0, 15);
	top_table(R_SERVER, 1, 15);
	sort_role = R_CLIENT;
	/* Both ends together, by exclusive count. */
	{
		struct fstat (*sum)[R_NROLE] = fs;
		int j;

		for (j = 0; j < nfunc; j++) {
			sum[j][R_OTHER].n += sum[j][R_CLIENT].n + sum[j][R_SERVER].n;
			sum[j][R_OTHER].d += sum[j][R_CLIENT].d + sum[j][R_SERVER].d;
			sum[j][R_OTHER].excl += sum[j][R_CLIENT].excl + sum[j][R_SERVER].excl;
			sum[j][R_OTHER].k += sum[j][R_CLIENT].k + sum[j][R_SERVER].k;
			sum[j][R_OTHER].desc += sum[j][R_CLIENT].desc + sum[j][R_SERVER].desc;
		}
		role_name[R_OTHER] = "both ends (and any other task)";
		top_table(R_OTHER, 0, 25);
	}
	printf("@@DP-END %s\n", label);
	printf("@@DP-SUM %s traced=%.0f span=%.0f\n", label, traced_sum, span_mean);

	if (tree && best_rt >= 0) {
		printf("@@DP-TREE-BEGIN %s\n", label);
		for (i = rt_first_line[best_rt]; i < rt_first_line[best_rt + 1]; i++)
			fputs(lines[i], stdout);
		printf("@@DP-TREE-END %s\n", label);
	}
	return 0;
}
