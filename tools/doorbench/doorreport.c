// SPDX-License-Identifier: GPL-2.0
/*
 * doorreport - turn doorbench console output into bench/results.*.
 *
 *   doorreport [-o DIR] [-c CMDLINE] [-m KEY=VALUE]... LOG...
 *
 * Reads the "@@DB ..." lines of each console LOG (a log may hold anything
 * else too: kernel messages, the VM runner's lines), then writes
 *   DIR/results.json   one object per case, the targets and the run's meta
 *   DIR/results.md     the tables and the target verdicts
 *   DIR/latency.svg    median round trip by payload size (plain SVG)
 * and prints the summary tables and the PASS/MISS target lines on stdout.
 * DIR defaults to "bench".  -c records the command that made the run, -m
 * facts about the host (kept in the JSON meta as host.KEY).  Exit status: 0 if a report was written (even with
 * MISSes), 1 if the logs hold no results, 2 on bad usage or I/O errors.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXREC	1024
#define MAXMETA	64

enum kind { K_LAT, K_TPUT, K_FAIL, K_COST };

struct rec {
	enum kind kind;
	char mech[40];
	char clock[16];		/* icount or wall */
	char unit[16];
	char err[128];
	char runs[96];		/* throughput: the rate of each run */
	unsigned long payload;
	int reps, sthreads, idlepoll;
	int cpus, comp, clients;
	unsigned long samples;
	double min, median, p99, mean, max;
	double calls, secs, rate;
};

struct meta {
	char key[32];
	char val[128];
};

static struct rec recs[MAXREC];
static int nrec;
static struct meta metas[MAXMETA];
static int nmeta;
static const char *primary_clock = "icount";

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "doorreport: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static void meta_set(const char *clk, const char *key, const char *val)
{
	char k[32];
	int i;

	snprintf(k, sizeof(k), "%s.%s", clk, key);
	for (i = 0; i < nmeta; i++)
		if (!strcmp(metas[i].key, k))
			break;
	if (i == nmeta) {
		if (nmeta == MAXMETA)
			return;
		nmeta++;
	}
	snprintf(metas[i].key, sizeof(metas[i].key), "%s", k);
	snprintf(metas[i].val, sizeof(metas[i].val), "%s", val);
}

static const char *meta_get(const char *clk, const char *key)
{
	char k[32];
	int i;

	snprintf(k, sizeof(k), "%s.%s", clk, key);
	for (i = 0; i < nmeta; i++)
		if (!strcmp(metas[i].key, k))
			return metas[i].val;
	return NULL;
}

/* Parse "key=value" tokens of one @@DB line into @r. */
static void parse_tokens(char *s, struct rec *r, const char *clk)
{
	char *tok, *save = NULL, *eq;

	for (tok = strtok_r(s, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		if (!r) {
			meta_set(clk, tok, eq);
			continue;
		}
		if (!strcmp(tok, "mech"))
			snprintf(r->mech, sizeof(r->mech), "%s", eq);
		else if (!strcmp(tok, "unit"))
			snprintf(r->unit, sizeof(r->unit), "%s", eq);
		else if (!strcmp(tok, "err") || !strcmp(tok, "note"))
			snprintf(r->err, sizeof(r->err), "%s", eq);
		else if (!strcmp(tok, "name"))
			snprintf(r->mech, sizeof(r->mech), "%s", eq);
		else if (!strcmp(tok, "runs"))
			snprintf(r->runs, sizeof(r->runs), "%s", eq);
		else if (!strcmp(tok, "reps"))
			r->reps = atoi(eq);
		else if (!strcmp(tok, "sthreads"))
			r->sthreads = atoi(eq);
		else if (!strcmp(tok, "idlepoll"))
			r->idlepoll = atoi(eq);
		else if (!strcmp(tok, "payload"))
			r->payload = strtoul(eq, NULL, 10);
		else if (!strcmp(tok, "cpus"))
			r->cpus = atoi(eq);
		else if (!strcmp(tok, "comp"))
			r->comp = atoi(eq);
		else if (!strcmp(tok, "clients"))
			r->clients = atoi(eq);
		else if (!strcmp(tok, "samples"))
			r->samples = strtoul(eq, NULL, 10);
		else if (!strcmp(tok, "min"))
			r->min = atof(eq);
		else if (!strcmp(tok, "median"))
			r->median = atof(eq);
		else if (!strcmp(tok, "p99"))
			r->p99 = atof(eq);
		else if (!strcmp(tok, "mean"))
			r->mean = atof(eq);
		else if (!strcmp(tok, "max"))
			r->max = atof(eq);
		else if (!strcmp(tok, "calls"))
			r->calls = atof(eq);
		else if (!strcmp(tok, "secs"))
			r->secs = atof(eq);
		else if (!strcmp(tok, "rate"))
			r->rate = atof(eq);
	}
}

static void read_log(const char *path)
{
	char line[1024], clk[16] = "wall", *p;
	FILE *f = fopen(path, "r");

	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "@@DB ");
		if (!p)
			continue;
		p += 5;
		if (!strncmp(p, "meta ", 5)) {
			char *c = strstr(p, "clock=");

			if (c)
				sscanf(c + 6, "%15[a-z]", clk);
			parse_tokens(p + 5, NULL, clk);
			continue;
		}
		if (nrec == MAXREC)
			die("too many results");
		struct rec *r = &recs[nrec];

		memset(r, 0, sizeof(*r));
		snprintf(r->clock, sizeof(r->clock), "%s", clk);
		if (!strncmp(p, "lat ", 4)) {
			r->kind = K_LAT;
			parse_tokens(p + 4, r, clk);
		} else if (!strncmp(p, "tput ", 5)) {
			r->kind = K_TPUT;
			parse_tokens(p + 5, r, clk);
		} else if (!strncmp(p, "fail ", 5)) {
			r->kind = K_FAIL;
			parse_tokens(p + 5, r, clk);
		} else if (!strncmp(p, "cost ", 5)) {
			r->kind = K_COST;
			parse_tokens(p + 5, r, clk);
		} else {
			continue;
		}
		if (!r->mech[0])
			continue;
		nrec++;
	}
	fclose(f);
}

/* ---- lookups ----------------------------------------------------------- */

static const struct rec *find_lat(const char *clk, const char *mech,
				  unsigned long payload, int cpus, int comp)
{
	int i;

	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];

		if (r->kind == K_LAT && !strcmp(r->clock, clk) &&
		    !strcmp(r->mech, mech) && r->payload == payload &&
		    r->cpus == cpus && r->comp == comp)
			return r;
	}
	return NULL;
}

static const struct rec *find_tput(const char *mech, int clients, int cpus)
{
	const struct rec *best = NULL;
	int i;

	/* Throughput is a wall-clock figure; prefer the wall boot. */
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];

		if (r->kind == K_TPUT && !strcmp(r->mech, mech) &&
		    r->clients == clients && r->cpus == cpus &&
		    (!best || !strcmp(r->clock, "wall")))
			best = r;
	}
	return best;
}

/* The clock the latency figures for @cpus come from: icount if measured. */
static const char *clock_for(int cpus)
{
	int i;

	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_LAT && recs[i].cpus == cpus &&
		    !strcmp(recs[i].clock, "icount"))
			return "icount";
	return "wall";
}

static const char *unit_of(const char *clk)
{
	return !strcmp(clk, "icount") ? "guest instructions" : "ns, wall time";
}

/* ---- the mechanisms, in table order -------------------------------------- */

static const char *const lat_mechs[] = {
	"door-ioctl", "door-libdoor", "door-reply", "eventfd", "futex", "pipe",
	"unix-stream", "unix-seqpacket", "sysv-msg", "posix-mq",
};
static const unsigned long payloads[] = { 0, 64, 4096, 65536, 1048576 };
#define NMECH	(sizeof(lat_mechs) / sizeof(lat_mechs[0]))
#define NPAY	(sizeof(payloads) / sizeof(payloads[0]))

static const char *const colors[NMECH] = {
	"#d62728", "#ff7f0e", "#1f77b4", "#17becf", "#2ca02c",
	"#9467bd", "#8c564b", "#7f7f7f", "#bcbd22",
};

static const char *pay_name(unsigned long p)
{
	switch (p) {
	case 0: return "0 B";
	case 64: return "64 B";
	case 4096: return "4 KiB";
	case 65536: return "64 KiB";
	case 1048576: return "1 MiB";
	default: return "?";
	}
}

static const char *mech_note(const char *m)
{
	if (!strcmp(m, "door-ioctl"))
		return "raw DOOR_IOC_CALL/DOOR_IOC_RETURN, server buffer large enough for every argument (kernel path cost)";
	if (!strcmp(m, "door-libdoor"))
		return "door_call()/door_create()+door_return() from libdoor (what applications get); libdoor's 16 KiB argument buffer makes larger arguments arrive in a fresh kernel mapping";
	if (!strcmp(m, "door-reply"))
		return "door-libdoor with the server answering by door_reply() then door_return(NULL, 0, NULL, 0) (a Linux extension; one more system call per round trip)";
	if (!strcmp(m, "eventfd"))
		return "two eventfds; payload copied through a shared mapping (4 user-space copies per round trip, like door's 4 kernel copies)";
	if (!strcmp(m, "futex"))
		return "one process-shared futex word (FUTEX_WAIT/FUTEX_WAKE); payload through a shared mapping as for eventfd";
	if (!strcmp(m, "pipe"))
		return "two pipes, default 64 KiB capacity; 0 B carries 1 byte (a 0-byte write wakes nobody)";
	if (!strcmp(m, "unix-stream"))
		return "socketpair(AF_UNIX, SOCK_STREAM), default buffers; 0 B carries 1 byte";
	if (!strcmp(m, "unix-seqpacket"))
		return "socketpair(AF_UNIX, SOCK_SEQPACKET); payloads above 64 KiB chunked into 64 KiB messages; 0 B carries 1 byte";
	if (!strcmp(m, "sysv-msg"))
		return "two SysV message queues; payloads above msgmax (8 KiB) chunked into 8 KiB messages (64 KiB: 8, 1 MiB: 128 per direction)";
	if (!strcmp(m, "posix-mq"))
		return "two POSIX message queues (msgsize 8 KiB, depth 10); larger payloads chunked like sysv-msg";
	if (!strcmp(m, "scm-rights"))
		return "1 byte + one SCM_RIGHTS descriptor over SOCK_STREAM, 1 byte back; the server closes the fd";
	if (!strcmp(m, "door-ioctl+fd") || !strcmp(m, "door-libdoor+fd"))
		return "door call with no data and one DOOR_DESCRIPTOR; empty result; the server closes the fd";
	return "";
}

/* ---- targets ----------------------------------------------------------- */

struct target {
	char name[96];
	char door[24];
	double measured;	/* ratio */
	double limit;
	int ge;			/* 1: measured >= limit passes */
	int known;
	int pass;
	double a, b;		/* the two figures of the ratio */
	char unit[16];
	char detail[256];
};

static struct target targets[32];
static int ntarget;

static void add_target(const char *name, const char *door, const struct rec *a,
		       const struct rec *b, double limit, int ge,
		       const char *what_a, const char *what_b)
{
	struct target *t = &targets[ntarget++];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->door, sizeof(t->door), "%s", door);
	t->limit = limit;
	t->ge = ge;
	if (a && b) {
		double va = a->kind == K_TPUT ? a->rate : a->median;
		double vb = b->kind == K_TPUT ? b->rate : b->median;

		if (vb > 0) {
			t->known = 1;
			t->a = va;
			t->b = vb;
			t->measured = va / vb;
			t->pass = ge ? t->measured >= limit : t->measured <= limit;
			snprintf(t->unit, sizeof(t->unit), "%s", a->unit);
			snprintf(t->detail, sizeof(t->detail),
				 "%s %.0f vs %s %.0f %s", what_a, va, what_b, vb,
				 a->unit);
		}
	}
	if (!t->known)
		snprintf(t->detail, sizeof(t->detail), "not measured");
}

/* How eventfd pairs scaled in the same configuration: the host's share. */
static double eventfd_scaling(int cpus2, int cpus1)
{
	const struct rec *a = find_tput("eventfd", 2, cpus2);
	const struct rec *b = find_tput("eventfd", 1, cpus1);

	return a && b && b->rate > 0 ? a->rate / b->rate : 0;
}

static void tput_control(struct target *t, int cpus2, int cpus1)
{
	double e = eventfd_scaling(cpus2, cpus1);
	size_t n = strlen(t->detail);

	if (t->known && e > 0)
		snprintf(t->detail + n, sizeof(t->detail) - n,
			 "; control: independent eventfd pairs scaled %.2fx", e);
}

static void eval_targets(void)
{
	static const char *const doors[] = { "door-libdoor", "door-ioctl" };
	const char *clk = primary_clock;
	char fdm[40];
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *d = doors[i];
		const struct rec *dn = find_lat(clk, d, 0, 1, 0);

		add_target("null door_call <= 1.0x eventfd round trip", d, dn,
			   find_lat(clk, "eventfd", 0, 1, 0), 1.0, 0, d, "eventfd");
		add_target("null door_call <= 0.7x pipe round trip", d, dn,
			   find_lat(clk, "pipe", 0, 1, 0), 0.7, 0, d, "pipe");
		add_target("null door_call <= 0.5x SOCK_STREAM socketpair", d, dn,
			   find_lat(clk, "unix-stream", 0, 1, 0), 0.5, 0, d,
			   "unix-stream");
		add_target("1 MiB arg + 1 MiB result <= 0.6x SOCK_STREAM", d,
			   find_lat(clk, d, 1048576, 1, 0),
			   find_lat(clk, "unix-stream", 1048576, 1, 0), 0.6, 0, d,
			   "unix-stream");
		snprintf(fdm, sizeof(fdm), "%s+fd", d);
		add_target("one fd per call <= 0.5x SCM_RIGHTS", d,
			   find_lat(clk, fdm, 0, 1, 0),
			   find_lat(clk, "scm-rights", 0, 1, 0), 0.5, 0, fdm,
			   "scm-rights");
		add_target("null door_call with CPU-bound competitor <= 1.5x idle",
			   d, find_lat(clk, d, 0, 1, 1), dn, 1.5, 0, "competitor",
			   "idle");
		add_target("throughput 2 clients on 2 vCPUs >= 1.6x 1 client", d,
			   find_tput(d, 2, 0), find_tput(d, 1, 0), 1.6, 1,
			   "2 clients", "1 client (all unpinned)");
		tput_control(&targets[ntarget - 1], 0, 0);
		add_target("(stricter) 2 clients one per vCPU >= 1.6x 1 client with its server on one vCPU",
			   d, find_tput(d, 2, 2), find_tput(d, 1, 1), 1.6, 1,
			   "2 clients pinned", "1 pinned pair");
		tput_control(&targets[ntarget - 1], 2, 1);
	}
}

static void target_line(FILE *f, const struct target *t, int md)
{
	const char *v = !t->known ? "N/A " : t->pass ? "PASS" : "MISS";

	if (!t->known) {
		fprintf(f, "%s%s  %s [%s]: not measured%s\n", md ? "- " : "",
			v, t->name, t->door, md ? "" : "");
		return;
	}
	fprintf(f, "%s%s%s%s  %s [%s]: %.2fx (target %s %.1fx; %s)\n",
		md ? "- " : "", md ? "**" : "", v, md ? "**" : "", t->name,
		t->door, t->measured, t->ge ? ">=" : "<=", t->limit, t->detail);
}

/* ---- Markdown ------------------------------------------------------------ */

static void fmt_num(char *out, size_t len, double v)
{
	snprintf(out, len, "%.0f", v);
}

static void md_matrix(FILE *f, const char *clk, int cpus)
{
	char b[32];
	size_t i, j;

	fprintf(f, "| mechanism |");
	for (j = 0; j < NPAY; j++)
		fprintf(f, " %s |", pay_name(payloads[j]));
	fprintf(f, "\n|---|");
	for (j = 0; j < NPAY; j++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (i = 0; i < NMECH; i++) {
		int any = 0;

		for (j = 0; j < NPAY; j++)
			if (find_lat(clk, lat_mechs[i], payloads[j], cpus, 0))
				any = 1;
		if (!any)
			continue;
		fprintf(f, "| %s |", lat_mechs[i]);
		for (j = 0; j < NPAY; j++) {
			const struct rec *r = find_lat(clk, lat_mechs[i],
						       payloads[j], cpus, 0);

			if (r) {
				fmt_num(b, sizeof(b), r->median);
				fprintf(f, " %s |", b);
			} else {
				fprintf(f, " — |");
			}
		}
		fprintf(f, "\n");
	}
}

/* Ratio of a door variant to each alternative, per payload. */
static void md_ratios(FILE *f, const char *clk, const char *door, int cpus)
{
	size_t i, j;

	fprintf(f, "| %s ÷ |", door);
	for (j = 0; j < NPAY; j++)
		fprintf(f, " %s |", pay_name(payloads[j]));
	fprintf(f, "\n|---|");
	for (j = 0; j < NPAY; j++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (i = 0; i < NMECH; i++) {
		if (!strcmp(lat_mechs[i], door))
			continue;
		if (!find_lat(clk, lat_mechs[i], 0, cpus, 0))
			continue;
		fprintf(f, "| %s |", lat_mechs[i]);
		for (j = 0; j < NPAY; j++) {
			const struct rec *a = find_lat(clk, door, payloads[j], cpus, 0);
			const struct rec *b = find_lat(clk, lat_mechs[i],
						       payloads[j], cpus, 0);

			if (a && b && b->median > 0)
				fprintf(f, " %.2fx |", a->median / b->median);
			else
				fprintf(f, " — |");
		}
		fprintf(f, "\n");
	}
}

static const struct rec *find_cost(const char *name)
{
	int i;

	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_COST && !strcmp(recs[i].mech, name) &&
		    !strcmp(recs[i].clock, "icount"))
			return &recs[i];
	return NULL;
}

/*
 * An estimate of where a null door round trip goes, from the building
 * blocks: two ioctl entries/exits (the ENOTTY ioctl), two wakeup-block-
 * switch sequences (the eventfd round trip minus its two write+read pairs,
 * which wake nobody), and the rest: door.ko's own work.
 */
static void decomposition(FILE *f)
{
	const struct rec *enotty = find_cost("door-ioctl-enotty");
	const struct rec *ewr = find_cost("eventfd-write+read");
	const struct rec *efd = find_lat("icount", "eventfd", 0, 1, 0);
	static const char *const doors[] = { "door-ioctl", "door-libdoor" };
	double sw;
	size_t i;

	if (!enotty || !ewr || !efd)
		return;
	sw = efd->median - 2 * ewr->median;
	fprintf(f, "\n## Where a null round trip goes (estimate, guest instructions, one vCPU)\n\n");
	fprintf(f, "Two wakeup+block+context-switch sequences cost about %.0f (eventfd round trip %.0f minus two "
		   "write+read pairs that wake nobody, %.0f each); one ioctl on a door descriptor that the module "
		   "rejects at once costs %.0f (a getppid costs %.0f).\n\n",
		sw, efd->median, ewr->median, enotty->median,
		find_cost("getppid") ? find_cost("getppid")->median : 0);
	fprintf(f, "| round trip | median | 2 ioctl entries | 2 wakeup+switch | rest: door.ko and library work |\n|---|---:|---:|---:|---:|\n");
	for (i = 0; i < 2; i++) {
		const struct rec *d = find_lat("icount", doors[i], 0, 1, 0);

		if (!d)
			continue;
		fprintf(f, "| %s (min %.0f) | %.0f | %.0f | %.0f | %.0f |\n", doors[i],
			d->min, d->median, 2 * enotty->median, sw,
			d->median - 2 * enotty->median - sw);
	}
	fprintf(f, "| eventfd | %.0f | (4 read/write syscalls: %.0f) | %.0f | — |\n",
		efd->median, 2 * ewr->median, sw);
}

static int mech_rank(const char *m)
{
	size_t i;

	for (i = 0; i < NMECH; i++)
		if (!strcmp(m, lat_mechs[i]))
			return (int)i;
	return (int)NMECH;
}

static int rec_order(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;
	int c;

	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if ((c = strcmp(b->clock, a->clock)))	/* wall after icount */
		return c;
	if (a->comp != b->comp)
		return a->comp - b->comp;
	if (a->cpus != b->cpus)
		return a->cpus - b->cpus;
	if (a->payload != b->payload)
		return a->payload < b->payload ? -1 : 1;
	if (a->clients != b->clients)
		return a->clients - b->clients;
	if ((c = mech_rank(a->mech) - mech_rank(b->mech)))
		return c;
	return strcmp(a->mech, b->mech);
}

static void write_md(const char *path, const char *cmdline)
{
	FILE *f = fopen(path, "w");
	const char *clk = primary_clock, *unit;
	const char *v;
	int i, nfail = 0;
	size_t k;
	char b[64];

	if (!f)
		die("%s: %s", path, strerror(errno));
	unit = !strcmp(clk, "icount") ? "guest instructions" : "ns (wall)";
	fprintf(f, "# doorbench results\n\n");
	fprintf(f, "Generated by `tools/bench.sh` (tools/doorbench). ");
	if (cmdline && *cmdline)
		fprintf(f, "Command: `%s`. ", cmdline);
	v = meta_get("icount", "kernel");
	if (!v)
		v = meta_get("wall", "kernel");
	fprintf(f, "Guest kernel %s under QEMU TCG: one boot with -icount and 1 vCPU (latency, both ends on one vCPU), "
		   "one without icount and with 2 vCPUs (cross-vCPU latency, throughput, wall-clock guides).\n\n",
		v ? v : "?");
	fprintf(f, "Latency figures are round trips between two processes, in **%s**", unit);
	if (!strcmp(clk, "icount"))
		fprintf(f, " (QEMU `-icount shift=0,sleep=off`: one guest ns is one guest instruction, so the numbers are deterministic path lengths, not times)");
	fprintf(f, "; each is the median of SAMPLES individually timed round trips after a warm-up, with the clock read's own cost (%s) subtracted. ",
		meta_get(clk, "timer_overhead") ? meta_get(clk, "timer_overhead") : "?");
	fprintf(f, "A round trip carries the payload to the server and the same number of bytes back (echo). "
		   "cpus=1: both ends pinned to vCPU 0; cpus=2: client on vCPU 0, server on vCPU 1. "
		   "QEMU 7.2 cannot boot an SMP x86 guest with icount, so the icount boot has one vCPU and "
		   "the cpus=2 figures come from the second boot (2 vCPUs, multi-threaded TCG, wall-clock ns: "
		   "a rough guide that depends on the host's load), like the throughput figures. "
		   "In those cpus=2 latency cases a SCHED_IDLE spinner runs on each vCPU (the effect of idle=poll): "
		   "under TCG a halted vCPU is a sleeping host thread, and the host's delay in waking it "
		   "(milliseconds on a loaded host) would otherwise swamp the guest's cross-CPU wakeup path.\n\n");

	if (meta_get("host", "nproc"))
		fprintf(f, "Host: %s CPUs, load average %s before the wall-time boot and %s after it "
			   "(other VMs share the host, so wall-time figures vary from run to run; the eventfd pairs "
			   "in the throughput table are the control for how much parallelism the guest got).\n\n",
			meta_get("host", "nproc"),
			meta_get("host", "load_before") ? meta_get("host", "load_before") : "?",
			meta_get("host", "load_after") ? meta_get("host", "load_after") : "?");
	fprintf(f, "## Targets\n\n");
	for (i = 0; i < ntarget; i++)
		target_line(f, &targets[i], 1);

	fprintf(f, "\n## Median round trip, both ends on one vCPU (cpus=1), %s\n\n",
		unit_of(clock_for(1)));
	md_matrix(f, clock_for(1), 1);
	fprintf(f, "\n## Median round trip, client and server on two vCPUs (cpus=2), %s\n\n",
		unit_of(clock_for(2)));
	md_matrix(f, clock_for(2), 2);

	fprintf(f, "\n## door ÷ alternative (medians, cpus=1, %s)\n\n",
		unit_of(clock_for(1)));
	md_ratios(f, clock_for(1), "door-libdoor", 1);
	fprintf(f, "\n");
	md_ratios(f, clock_for(1), "door-ioctl", 1);
	fprintf(f, "\n## door ÷ alternative (medians, cpus=2, %s)\n\n",
		unit_of(clock_for(2)));
	md_ratios(f, clock_for(2), "door-libdoor", 2);
	fprintf(f, "\n");
	md_ratios(f, clock_for(2), "door-ioctl", 2);

	fprintf(f, "\n## Descriptor passing (one fd per call, no data)\n\n");
	fprintf(f, "| mechanism | cpus | clock | min | median | p99 | samples | unit |\n|---|---:|---|---:|---:|---:|---:|---|\n");
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];

		if (r->kind != K_LAT ||
		    (!strstr(r->mech, "+fd") && strcmp(r->mech, "scm-rights")))
			continue;
		fprintf(f, "| %s | %d | %s | %.0f | %.0f | %.0f | %lu | %s |\n",
			r->mech, r->cpus, r->clock, r->min, r->median, r->p99,
			r->samples, r->unit);
	}

	fprintf(f, "\n## Null round trip with a CPU-bound competitor on the same vCPU\n\n");
	fprintf(f, "| mechanism | clock | idle median | competitor min | median | p99 | samples | median ratio |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i], *idle;

		if (r->kind != K_LAT || !r->comp)
			continue;
		idle = find_lat(r->clock, r->mech, r->payload, r->cpus, 0);
		fprintf(f, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %lu | %.2fx |\n",
			r->mech, r->clock, idle ? idle->median : 0, r->min,
			r->median, r->p99, r->samples,
			idle && idle->median > 0 ? r->median / idle->median : 0);
	}

	fprintf(f, "\n## Building blocks (one vCPU)\n\n");
	fprintf(f, "What a round trip is made of, timed one by one like the round trips.\n\n");
	fprintf(f, "| what | clock | min | median | p99 | samples | unit | note |\n|---|---|---:|---:|---:|---:|---|---|\n");
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];
		char note[128];
		size_t k2;

		if (r->kind != K_COST)
			continue;
		snprintf(note, sizeof(note), "%s", r->err);
		for (k2 = 0; note[k2]; k2++)
			if (note[k2] == '~')
				note[k2] = ' ';
		fprintf(f, "| %s | %s | %.0f | %.0f | %.0f | %lu | %s | %s |\n",
			r->mech, r->clock, r->min, r->median, r->p99, r->samples,
			r->unit, note);
	}

	decomposition(f);

	fprintf(f, "\n## Throughput (null calls, 2 vCPUs, wall time)\n\n");
	fprintf(f, "Pinning: *none* = nothing pinned; *vCPU 0* = client and server on vCPU 0; "
		   "*client i on vCPU i* = clients pinned one per vCPU (door server threads unpinned, "
		   "eventfd servers next to their client).  calls/s is the median of the runs.\n\n");
	fprintf(f, "| mechanism | clients | pinning | calls/s | ÷ 1 client (same family) | runs (calls/s) | server threads |\n|---|---:|---|---:|---:|---|---:|\n");
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i], *one;

		if (r->kind != K_TPUT)
			continue;
		one = find_tput(r->mech, 1, r->cpus == 2 ? 1 : r->cpus);
		if (!one && strstr(r->mech, "-pairs")) {
			char base[40];

			snprintf(base, sizeof(base), "%.*s",
				 (int)(strstr(r->mech, "-pairs") - r->mech), r->mech);
			one = find_tput(base, 1, r->cpus == 2 ? 1 : r->cpus);
		}
		fprintf(f, "| %s | %d | %s | %.0f | %.2fx | %s | %s |\n", r->mech,
			r->clients,
			r->cpus == 0 ? "none" : r->cpus == 1 ? "vCPU 0" : "client i on vCPU i",
			r->rate, one && one->rate > 0 ? r->rate / one->rate : 0,
			r->runs[0] ? r->runs : "—",
			r->sthreads ? (snprintf(b, sizeof(b), "%d", r->sthreads), b) : "—");
	}
	fprintf(f, "\n(eventfd throughput uses one server process per client: a baseline of independent pairs; the door cases share one server process and its thread pool, except door-ioctl-pairs, a diagnostic with one door server process per client, compared with door-ioctl's 1-client figure.)\n");

	qsort(recs, (size_t)nrec, sizeof(recs[0]), rec_order);
	fprintf(f, "\n## All latency cases\n\n");
	fprintf(f, "| mechanism | payload | cpus | competitor | clock | min | median | p99 | samples | unit | server threads |\n"
		   "|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|\n");
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];

		if (r->kind != K_LAT)
			continue;
		fprintf(f, "| %s | %lu | %d | %s | %s | %.0f | %.0f | %.0f | %lu | %s | %s |\n",
			r->mech, r->payload, r->cpus, r->comp ? "yes" : "no",
			r->clock, r->min, r->median, r->p99, r->samples, r->unit,
			r->sthreads ? (snprintf(b, sizeof(b), "%d", r->sthreads), b) : "—");
	}
	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_FAIL)
			nfail++;
	if (nfail) {
		fprintf(f, "\n## Failed cases\n\n");
		for (i = 0; i < nrec; i++)
			if (recs[i].kind == K_FAIL)
				fprintf(f, "- %s payload=%lu cpus=%d comp=%d clients=%d (%s): %s\n",
					recs[i].mech, recs[i].payload, recs[i].cpus,
					recs[i].comp, recs[i].clients, recs[i].clock,
					recs[i].err);
	}
	fprintf(f, "\n## Mechanisms\n\n");
	for (k = 0; k < NMECH; k++)
		fprintf(f, "- **%s**: %s\n", lat_mechs[k], mech_note(lat_mechs[k]));
	fprintf(f, "- **door-ioctl+fd / door-libdoor+fd**: %s\n", mech_note("door-ioctl+fd"));
	fprintf(f, "- **scm-rights**: %s\n", mech_note("scm-rights"));
	fprintf(f, "\nPlot: [latency.svg](latency.svg). Raw data: [results.json](results.json).\n");
	if (fclose(f))
		die("%s: write error", path);
}

/* ---- JSON -------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void write_json(const char *path, const char *cmdline)
{
	FILE *f = fopen(path, "w");
	char when[64];
	time_t now = time(NULL);
	int i, first = 1;

	if (!f)
		die("%s: %s", path, strerror(errno));
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f, "{\n  \"generated\": \"%s\",\n  \"command\": ", when);
	json_str(f, cmdline ? cmdline : "");
	fprintf(f, ",\n  \"primary_clock\": \"%s\",\n  \"meta\": {", primary_clock);
	for (i = 0; i < nmeta; i++) {
		fprintf(f, "%s\n    ", i ? "," : "");
		json_str(f, metas[i].key);
		fprintf(f, ": ");
		json_str(f, metas[i].val);
	}
	fprintf(f, "\n  },\n  \"cases\": [");
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];

		if (r->kind == K_FAIL || r->kind == K_COST)
			continue;
		fprintf(f, "%s\n    {\"mechanism\": ", first ? "" : ",");
		first = 0;
		json_str(f, r->mech);
		if (r->kind == K_LAT) {
			fprintf(f, ", \"kind\": \"latency\", \"payload\": %lu, \"cpus\": %d, "
				   "\"competitor\": %s, \"clock\": \"%s\", \"min\": %.0f, "
				   "\"median\": %.0f, \"p99\": %.0f, \"mean\": %.0f, "
				   "\"max\": %.0f, \"samples\": %lu, \"unit\": \"%s\", "
				   "\"idle_poll\": %s, \"server_threads\": %d}",
				r->payload, r->cpus, r->comp ? "true" : "false",
				r->clock, r->min, r->median, r->p99, r->mean, r->max,
				r->samples, r->unit, r->idlepoll ? "true" : "false",
				r->sthreads);
		} else {
			fprintf(f, ", \"kind\": \"throughput\", \"payload\": %lu, \"vcpus\": 2, "
				   "\"cpus\": %d, \"pinning\": \"%s\", \"clients\": %d, "
				   "\"clock\": \"%s\", \"median\": %.1f, \"runs\": \"%s\", "
				   "\"samples\": %d, \"seconds_per_run\": %.2f, "
				   "\"server_threads\": %d, \"unit\": \"calls/s\"}",
				r->payload, r->cpus,
				r->cpus == 0 ? "none" : r->cpus == 1 ? "vcpu0" : "client-i-on-vcpu-i",
				r->clients, r->clock, r->rate, r->runs, r->reps,
				r->secs, r->sthreads);
		}
	}
	fprintf(f, "\n  ],\n  \"building_blocks\": [");
	first = 1;
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];

		if (r->kind != K_COST)
			continue;
		fprintf(f, "%s\n    {\"name\": ", first ? "" : ",");
		first = 0;
		json_str(f, r->mech);
		fprintf(f, ", \"clock\": \"%s\", \"min\": %.0f, \"median\": %.0f, "
			   "\"p99\": %.0f, \"samples\": %lu, \"unit\": \"%s\", \"note\": ",
			r->clock, r->min, r->median, r->p99, r->samples, r->unit);
		json_str(f, r->err);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"failed\": [");
	first = 1;
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];

		if (r->kind != K_FAIL)
			continue;
		fprintf(f, "%s\n    {\"mechanism\": ", first ? "" : ",");
		first = 0;
		json_str(f, r->mech);
		fprintf(f, ", \"payload\": %lu, \"cpus\": %d, \"competitor\": %s, "
			   "\"clients\": %d, \"clock\": \"%s\", \"error\": ",
			r->payload, r->cpus, r->comp ? "true" : "false",
			r->clients, r->clock);
		json_str(f, r->err);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"targets\": [");
	for (i = 0; i < ntarget; i++) {
		const struct target *t = &targets[i];

		fprintf(f, "%s\n    {\"target\": ", i ? "," : "");
		json_str(f, t->name);
		fprintf(f, ", \"door\": ");
		json_str(f, t->door);
		fprintf(f, ", \"limit\": %.2f, \"compare\": \"%s\", ", t->limit,
			t->ge ? ">=" : "<=");
		if (t->known)
			fprintf(f, "\"ratio\": %.4f, \"a\": %.1f, \"b\": %.1f, "
				   "\"verdict\": \"%s\"}", t->measured, t->a, t->b,
				t->pass ? "PASS" : "MISS");
		else
			fprintf(f, "\"ratio\": null, \"verdict\": \"N/A\"}");
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f))
		die("%s: write error", path);
}

/* ---- SVG ----------------------------------------------------------------- */

#define SVG_W		1120
#define SVG_H		520
#define PANEL_W		380
#define PANEL_H		360
#define PANEL_Y		70

/* 2000 -> "2k", 5000000 -> "5M" */
static void compact(char *out, size_t len, double v)
{
	static const char *const sfx[] = { "", "k", "M", "G", "T" };
	int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(out, len, "%.3g%s", v, sfx[i]);
}

static void svg_panel(FILE *f, int x0, int cpus)
{
	const char *clk = clock_for(cpus);
	const char *unit = !strcmp(clk, "icount") ? "guest instructions" : "ns, wall time";
	double lo = 1e300, hi = 0, e;
	int y0 = PANEL_Y, k;
	size_t i, j;

	for (k = 0; k < nrec; k++) {
		const struct rec *r = &recs[k];

		if (r->kind != K_LAT || r->comp || r->cpus != cpus ||
		    strcmp(r->clock, clk) || r->median <= 0)
			continue;
		if (log10(r->median) < lo)
			lo = log10(r->median);
		if (log10(r->median) > hi)
			hi = log10(r->median);
	}
	if (hi <= 0) {
		lo = 3;
		hi = 6;
	}
	/* Half decades: the range starts at 1x or 3.16x a power of ten. */
	lo = floor(lo * 2) / 2;
	hi = ceil(hi * 2) / 2;
	if (hi - lo < 1)
		hi = lo + 1;

	fprintf(f, "<g>\n<text x=\"%d\" y=\"%d\" class=\"t\">%s</text>\n",
		x0 + PANEL_W / 2, y0 - 10,
		cpus == 1 ? "both ends on one vCPU" : "client and server on two vCPUs");
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n",
		x0, y0, PANEL_W, PANEL_H);
	/* y grid: 1-2-5 ticks per decade */
	for (e = floor(lo); e <= hi + 1e-9; e += 1) {
		static const double sub[] = { 1, 2, 5 };
		size_t m;

		for (m = 0; m < 3; m++) {
			double v = e + log10(sub[m]);
			double y = y0 + PANEL_H - (v - lo) / (hi - lo) * PANEL_H;
			char lab[16];

			if (v > hi + 1e-9)
				break;
			if (v < lo - 1e-9)
				continue;
			fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>\n",
				x0, y, x0 + PANEL_W, y, m ? "#f0f0f0" : "#ccc");
			if (m == 0 || hi - lo <= 4) {
				compact(lab, sizeof(lab), pow(10, v) + 0.5);
				fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"yl\">%s</text>\n",
					x0 - 6, y + 4, lab);
			}
		}
	}
	/* x labels */
	for (j = 0; j < NPAY; j++) {
		double x = x0 + 30 + (double)j * (PANEL_W - 60) / (NPAY - 1);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>\n",
			x, y0, x, y0 + PANEL_H);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">%s</text>\n",
			x, y0 + PANEL_H + 18, pay_name(payloads[j]));
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"xl\">payload (each way)</text>\n",
		x0 + PANEL_W / 2, y0 + PANEL_H + 38);
	fprintf(f, "<text transform=\"translate(%d,%d) rotate(-90)\" class=\"xl\">median round trip (%s, log scale)</text>\n",
		x0 - 46, y0 + PANEL_H / 2, unit);
	for (i = 0; i < NMECH; i++) {
		int started = 0;

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" points=\"",
			colors[i], !strncmp(lat_mechs[i], "door", 4) ? "3" : "1.5");
		for (j = 0; j < NPAY; j++) {
			const struct rec *r = find_lat(clk, lat_mechs[i],
						       payloads[j], cpus, 0);
			double x = x0 + 30 + (double)j * (PANEL_W - 60) / (NPAY - 1);

			if (!r || r->median <= 0)
				continue;
			fprintf(f, "%s%.1f,%.1f", started ? " " : "", x,
				y0 + PANEL_H - (log10(r->median) - lo) / (hi - lo) * PANEL_H);
			started = 1;
		}
		fprintf(f, "\"/>\n");
		for (j = 0; j < NPAY; j++) {
			const struct rec *r = find_lat(clk, lat_mechs[i],
						       payloads[j], cpus, 0);
			double x = x0 + 30 + (double)j * (PANEL_W - 60) / (NPAY - 1);

			if (!r || r->median <= 0)
				continue;
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s %s cpus=%d: median %.0f, p99 %.0f %s (%lu samples)</title></circle>\n",
				x, y0 + PANEL_H - (log10(r->median) - lo) / (hi - lo) * PANEL_H,
				colors[i], lat_mechs[i], pay_name(payloads[j]), cpus,
				r->median, r->p99, r->unit, r->samples);
		}
	}
	fprintf(f, "</g>\n");
}

static void write_svg(const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_W, SVG_H, SVG_W, SVG_H);
	fprintf(f, "<style>.t{text-anchor:middle;font-weight:bold}.xl{text-anchor:middle}.yl{text-anchor:end}.lg{dominant-baseline:middle}</style>\n");
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"24\" class=\"t\" font-size=\"15\">door_call vs Linux IPC: median round trip by payload size</text>\n",
		(SVG_W - 130) / 2);
	svg_panel(f, 90, 1);
	svg_panel(f, 90 + PANEL_W + 90, 2);
	for (i = 0; i < NMECH; i++) {
		int y = PANEL_Y + 10 + (int)i * 22;
		int x = 90 + 2 * PANEL_W + 110;

		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
			x, y, x + 22, y, colors[i],
			!strncmp(lat_mechs[i], "door", 4) ? "3" : "1.5");
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"lg\">%s</text>\n",
			x + 28, y, lat_mechs[i]);
	}
	fprintf(f, "<text x=\"90\" y=\"%d\" font-size=\"11\">left: QEMU -icount (1 guest ns = 1 guest instruction), 1 vCPU; right: 2 vCPUs, wall-clock ns under TCG (rough guide)</text>\n",
		SVG_H - 14);
	fprintf(f, "</svg>\n");
	if (fclose(f))
		die("%s: write error", path);
}

/* ---- stdout summary ------------------------------------------------------ */

static void print_summary(void)
{
	const char *clk = primary_clock;
	int i;

	(void)clk;
	printf("\nMedian round trip (%s), cpus=1 (both ends on vCPU 0):\n\n",
	       unit_of(clock_for(1)));
	md_matrix(stdout, clock_for(1), 1);
	printf("\nMedian round trip (%s), cpus=2 (client vCPU 0, server vCPU 1):\n\n",
	       unit_of(clock_for(2)));
	md_matrix(stdout, clock_for(2), 2);
	printf("\nBuilding blocks (median):\n\n");
	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_COST)
			printf("  %-22s %8.0f %s (%s)\n", recs[i].mech,
			       recs[i].median, recs[i].unit, recs[i].clock);
	printf("\nThroughput (wall time, null calls/s, median of runs):\n\n");
	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_TPUT)
			printf("  %-14s %d client(s), pinning %-18s %10.0f calls/s  (runs %s)\n",
			       recs[i].mech, recs[i].clients,
			       recs[i].cpus == 0 ? "none" : recs[i].cpus == 1 ?
			       "vCPU 0" : "client i on vCPU i", recs[i].rate,
			       recs[i].runs);
	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_FAIL)
			printf("FAILED CASE: %s payload=%lu cpus=%d comp=%d clients=%d: %s\n",
			       recs[i].mech, recs[i].payload, recs[i].cpus,
			       recs[i].comp, recs[i].clients, recs[i].err);
	printf("\nTargets:\n");
	for (i = 0; i < ntarget; i++)
		target_line(stdout, &targets[i], 0);
}

int main(int argc, char **argv)
{
	const char *dir = "bench", *cmdline = "";
	char path[4096];
	int i, nlat = 0, nicount = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cmdline = argv[++i];
		else if (!strcmp(argv[i], "-m") && i + 1 < argc) {
			char kv[160], *eq;

			snprintf(kv, sizeof(kv), "%s", argv[++i]);
			eq = strchr(kv, '=');
			if (!eq)
				die("-m wants KEY=VALUE");
			*eq = '\0';
			meta_set("host", kv, eq + 1);
		}
		else if (argv[i][0] == '-')
			die("usage: doorreport [-o DIR] [-c CMDLINE] [-m KEY=VALUE]... LOG...");
		else
			break;
	}
	if (i == argc)
		die("usage: doorreport [-o DIR] [-c CMDLINE] [-m KEY=VALUE]... LOG...");
	for (; i < argc; i++)
		read_log(argv[i]);
	for (i = 0; i < nrec; i++) {
		if (recs[i].kind == K_LAT) {
			nlat++;
			if (!strcmp(recs[i].clock, "icount"))
				nicount++;
		}
	}
	if (!nrec) {
		fprintf(stderr, "doorreport: no @@DB results in the logs\n");
		return 1;
	}
	primary_clock = nicount || !nlat ? "icount" : "wall";
	eval_targets();
	snprintf(path, sizeof(path), "%s/results.json", dir);
	write_json(path, cmdline);
	snprintf(path, sizeof(path), "%s/latency.svg", dir);
	write_svg(path);
	print_summary();
	/* write_md sorts recs: last. */
	snprintf(path, sizeof(path), "%s/results.md", dir);
	write_md(path, cmdline);
	return 0;
}
