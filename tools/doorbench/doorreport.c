// SPDX-License-Identifier: GPL-2.0
/*
 * doorreport - turn doorbench console output into bench/results.*.
 *
 *   doorreport [-o DIR] [-n NAME] [-c CMDLINE] [-m KEY=VALUE]... LOG...
 *   doorreport -S [-o DIR] KVER=RAWLOG...
 *
 * Reads the "@@DB ..." lines of each console LOG (a log may hold anything
 * else too: kernel messages, the VM runner's lines), then writes
 *   DIR/results-NAME.json  one object per case, the targets and the run's meta
 *   DIR/results-NAME.md    the tables and the target verdicts
 *   DIR/latency-NAME.svg   median round trip by payload size (plain SVG)
 * (without -n: results.json, results.md, latency.svg) and prints the
 * summary tables and the PASS/MISS target lines on stdout.  DIR defaults
 * to "bench".  -c records the command that made the run, -m facts about
 * the host (kept in the JSON meta as host.KEY).
 *
 * -S writes DIR/results.md alone: the targets, null round trips, scaling,
 * doors alive, memory and profile summary (from DIR/profile-KVER.md) of
 * each kernel side by side, from the @@DB lines each KVER's RAWLOG keeps
 * (tools/bench.sh saves them as bench/raw-KVER.txt).
 *
 * Exit status: 0 if a report was written (even with MISSes), 1 if the
 * logs hold no results, 2 on bad usage or I/O errors.
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

enum kind { K_LAT, K_TPUT, K_FAIL, K_COST, K_ALIVE, K_MEM, K_SCALE };

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
	double min, median, p90, p99, mean, max;
	double calls, secs, rate;
	int doors, round;	/* alive: live doors; scale: round */
	long n;			/* mem: objects made */
	double slab, sunreclaim, kstack, ptables;	/* mem: bytes each */
	char caches[200];	/* mem: the slab caches that grew */
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
		else if (!strcmp(tok, "p90"))
			r->p90 = atof(eq);
		else if (!strcmp(tok, "doors"))
			r->doors = atoi(eq);
		else if (!strcmp(tok, "round"))
			r->round = atoi(eq);
		else if (!strcmp(tok, "what"))
			snprintf(r->mech, sizeof(r->mech), "%s", eq);
		else if (!strcmp(tok, "n"))
			r->n = atol(eq);
		else if (!strcmp(tok, "slab_bytes"))
			r->slab = atof(eq);
		else if (!strcmp(tok, "sunreclaim_bytes"))
			r->sunreclaim = atof(eq);
		else if (!strcmp(tok, "kstack_bytes"))
			r->kstack = atof(eq);
		else if (!strcmp(tok, "ptables_bytes"))
			r->ptables = atof(eq);
		else if (!strcmp(tok, "caches"))
			snprintf(r->caches, sizeof(r->caches), "%s", eq);
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
		} else if (!strncmp(p, "alive ", 6)) {
			r->kind = K_ALIVE;
			parse_tokens(p + 6, r, clk);
		} else if (!strncmp(p, "mem ", 4)) {
			r->kind = K_MEM;
			parse_tokens(p + 4, r, clk);
		} else if (!strncmp(p, "scale ", 6)) {
			r->kind = K_SCALE;
			parse_tokens(p + 6, r, clk);
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
	"door-ioctl", "door-libdoor", "door-reply", "eventfd-bare", "eventfd",
	"futex", "pipe", "unix-stream", "unix-seqpacket", "sysv-msg", "posix-mq",
	"dbus",
};
static const unsigned long payloads[] = { 0, 64, 4096, 65536, 1048576 };
#define NMECH	(sizeof(lat_mechs) / sizeof(lat_mechs[0]))
#define NPAY	(sizeof(payloads) / sizeof(payloads[0]))

static const char *const colors[NMECH] = {
	"#d62728", "#ff7f0e", "#393b79", "#1f77b4", "#17becf", "#2ca02c",
	"#9467bd", "#8c564b", "#7f7f7f", "#bcbd22", "#e377c2",
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
	if (!strcmp(m, "eventfd-bare"))
		return "two eventfds, the 8-byte counter value each way is the whole message (no shared-memory data): the bare wakeup-and-switch floor, null calls only";
	if (!strcmp(m, "dbus"))
		return "D-Bus method call round trip through a private dbus-daemon (Debian's dbus-daemon and libdbus-1, the client blocks in dbus_connection_send_with_reply_and_block, the server replies from its dispatch loop); null calls only; three processes on the one vCPU";
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
	char detail[512];
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

/* A target on two figures that are not both latency records. */
static void add_target_val(const char *name, const char *door, double va,
			   double vb, double limit, int ge, const char *detail)
{
	struct target *t = &targets[ntarget++];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->door, sizeof(t->door), "%s", door);
	t->limit = limit;
	t->ge = ge;
	if (vb > 0 && va >= 0) {
		t->known = 1;
		t->a = va;
		t->b = vb;
		t->measured = va / vb;
		t->pass = ge ? t->measured >= limit : t->measured <= limit;
		snprintf(t->detail, sizeof(t->detail), "%s", detail);
	} else {
		snprintf(t->detail, sizeof(t->detail), "not measured");
	}
}

static const struct rec *find_alive(const char *mech, int doors)
{
	int i;

	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_ALIVE && !strcmp(recs[i].mech, mech) &&
		    recs[i].doors == doors)
			return &recs[i];
	return NULL;
}

static const struct rec *find_mem(const char *what)
{
	int i;

	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_MEM && !strcmp(recs[i].mech, what))
			return &recs[i];
	return NULL;
}

static double scale_rate(const char *mech, int clients, int round)
{
	int i;

	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_SCALE && !strcmp(recs[i].mech, mech) &&
		    recs[i].clients == clients && recs[i].round == round)
			return recs[i].rate;
	return 0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_of(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The control of the scaling suite: independent eventfd-bare pairs. */
#define SCALE_CONTROL "eventfd-bare"

struct scaling {
	int rounds, maxk;
	double ratio_med, ratio_min;	/* door scaling / control scaling */
	double one_med, one_min;	/* 1-client door / one control pair */
	double door_scale_med, ctl_scale_med;
	double d1, d2, c1, c2;		/* median rates */
	char ratios[96], ones[96];	/* per round */
};

/* Rounds with all four figures; 0 if none. */
static int scaling_of(const char *door, struct scaling *sc)
{
	double ra[16], on[16], ds[16], cs[16], d1[16], d2[16], c1[16], c2[16];
	int r, n = 0, i, k;

	memset(sc, 0, sizeof(*sc));
	sc->maxk = 0;
	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_SCALE && recs[i].clients > sc->maxk)
			sc->maxk = recs[i].clients;
	k = sc->maxk;
	if (k < 2)
		return 0;
	for (r = 1; r <= 16; r++) {
		double a1 = scale_rate(door, 1, r), a2 = scale_rate(door, k, r);
		double b1 = scale_rate(SCALE_CONTROL, 1, r), b2 = scale_rate(SCALE_CONTROL, k, r);

		if (a1 <= 0 || a2 <= 0 || b1 <= 0 || b2 <= 0)
			continue;
		d1[n] = a1;
		d2[n] = a2;
		c1[n] = b1;
		c2[n] = b2;
		ds[n] = a2 / a1;
		cs[n] = b2 / b1;
		ra[n] = ds[n] / cs[n];
		on[n] = a1 / b1;
		snprintf(sc->ratios + strlen(sc->ratios), sizeof(sc->ratios) - strlen(sc->ratios),
			 "%s%.2f", n ? "/" : "", ra[n]);
		snprintf(sc->ones + strlen(sc->ones), sizeof(sc->ones) - strlen(sc->ones),
			 "%s%.2f", n ? "/" : "", on[n]);
		n++;
	}
	if (!n)
		return 0;
	sc->rounds = n;
	sc->ratio_min = ra[0];
	sc->one_min = on[0];
	for (i = 1; i < n; i++) {
		if (ra[i] < sc->ratio_min)
			sc->ratio_min = ra[i];
		if (on[i] < sc->one_min)
			sc->one_min = on[i];
	}
	sc->ratio_med = median_of(ra, n);
	sc->one_med = median_of(on, n);
	sc->door_scale_med = median_of(ds, n);
	sc->ctl_scale_med = median_of(cs, n);
	sc->d1 = median_of(d1, n);
	sc->d2 = median_of(d2, n);
	sc->c1 = median_of(c1, n);
	sc->c2 = median_of(c2, n);
	return n;
}

static void eval_targets(void)
{
	static const char *const doors[] = { "door-libdoor", "door-ioctl" };
	const char *clk = primary_clock;
	char fdm[40], det[400];
	const struct rec *md, *mt, *mp;
	struct scaling sc;
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *d = doors[i];
		const struct rec *dn = find_lat(clk, d, 0, 1, 0);
		const struct rec *a1 = find_alive(d, 1), *a5 = find_alive(d, 100000);

		add_target("null door_call <= 0.95x eventfd-bare", d, dn,
			   find_lat(clk, "eventfd-bare", 0, 1, 0), 0.95, 0, d,
			   "eventfd-bare");
		add_target("null door_call <= 0.55x unix-stream", d, dn,
			   find_lat(clk, "unix-stream", 0, 1, 0), 0.55, 0, d,
			   "unix-stream");
		if (dn && dn->p90 > 0) {
			snprintf(det, sizeof(det), "p90 %.0f vs p50 %.0f %s (min %.0f)",
				 dn->p90, dn->median, dn->unit, dn->min);
			add_target_val("fast mode the common case: p90 <= 1.10x p50", d,
				       dn->p90, dn->median, 1.10, 0, det);
		} else {
			add_target_val("fast mode the common case: p90 <= 1.10x p50", d,
				       -1, 0, 1.10, 0, "");
		}
		snprintf(fdm, sizeof(fdm), "%s+fd", d);
		add_target("one fd per call <= 0.45x SCM_RIGHTS", d,
			   find_lat(clk, fdm, 0, 1, 0),
			   find_lat(clk, "scm-rights", 0, 1, 0), 0.45, 0, fdm,
			   "scm-rights");
		add_target("1 MiB each way <= 0.5x unix-stream", d,
			   find_lat(clk, d, 1048576, 1, 0),
			   find_lat(clk, "unix-stream", 1048576, 1, 0), 0.5, 0, d,
			   "unix-stream");
		if (scaling_of(d, &sc)) {
			snprintf(det, sizeof(det),
				 "median of %d rounds; door 1->%d clients %.2fx (%.0f -> %.0f calls/s), "
				 "control %.2fx (%.0f -> %.0f); per round %s, worst %.2fx",
				 sc.rounds, sc.maxk, sc.door_scale_med, sc.d1, sc.d2,
				 sc.ctl_scale_med, sc.c1, sc.c2, sc.ratios, sc.ratio_min);
			add_target_val("scaling 1->2 clients >= 0.9x the eventfd control's scaling", d,
				       sc.ratio_med, 1, 0.9, 1, det);
			snprintf(det, sizeof(det),
				 "median of %d rounds; door %.0f vs one eventfd-bare pair %.0f calls/s; "
				 "per round %s, worst %.2fx", sc.rounds, sc.d1, sc.c1, sc.ones,
				 sc.one_min);
			add_target_val("1-client throughput >= 0.9x one control pair", d,
				       sc.one_med, 1, 0.9, 1, det);
		} else {
			add_target_val("scaling 1->2 clients >= 0.9x the eventfd control's scaling", d,
				       -1, 0, 0.9, 1, "");
			add_target_val("1-client throughput >= 0.9x one control pair", d,
				       -1, 0, 0.9, 1, "");
		}
		if (a1 && a5) {
			snprintf(det, sizeof(det), "100,000 doors %.0f vs 1 door %.0f %s (p90 %.0f vs %.0f)",
				 a5->median, a1->median, a5->unit, a5->p90, a1->p90);
			add_target_val("null call with 100,000 doors alive <= 1.03x with one", d,
				       a5->median, a1->median, 1.03, 0, det);
		} else {
			add_target_val("null call with 100,000 doors alive <= 1.03x with one", d,
				       -1, 0, 1.03, 0, "");
		}
	}
	md = find_mem("door");
	if (md) {
		snprintf(det, sizeof(det), "%.0f B of slab per idle door (unreclaimable %.0f B; %ld doors; "
			 "caches grown, B/door: %s)", md->slab, md->sunreclaim, md->n, md->caches);
		add_target_val("<= 2 KiB kernel memory per idle door", "door.ko",
			       md->slab, 2048, 1.0, 0, det);
	} else {
		add_target_val("<= 2 KiB kernel memory per idle door", "door.ko", -1, 0, 1.0, 0, "");
	}
	mt = find_mem("thread-door");
	mp = find_mem("thread-pause");
	if (mt && mp) {
		double v = (mt->slab + mt->kstack) - (mp->slab + mp->kstack);

		snprintf(det, sizeof(det), "%.0f B per thread parked in DOOR_IOC_RETURN beyond one parked "
			 "in pause() (slab+kernel stack %.0f vs %.0f B; %ld threads)", v,
			 mt->slab + mt->kstack, mp->slab + mp->kstack, mt->n);
		add_target_val("<= 1 KiB per parked server thread (its task aside)", "door.ko",
			       v < 0 ? 0 : v, 1024, 1.0, 0, det);
	} else {
		add_target_val("<= 1 KiB per parked server thread (its task aside)", "door.ko",
			       -1, 0, 1.0, 0, "");
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
	fprintf(f, "%s%s%s%s  %s [%s]: %.2fx (target %s %.2fx; %s)\n",
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
	const struct rec *efd = find_lat("icount", "eventfd-bare", 0, 1, 0);
	static const char *const doors[] = { "door-ioctl", "door-libdoor" };
	double sw;
	size_t i;

	if (!enotty || !ewr || !efd)
		return;
	sw = efd->median - 2 * ewr->median;
	fprintf(f, "\n## Where a null round trip goes (estimate, guest instructions, one vCPU)\n\n");
	fprintf(f, "Two wakeup+block+context-switch sequences cost about %.0f (eventfd-bare round trip %.0f minus two "
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
	fprintf(f, "| eventfd-bare | %.0f | (4 read/write syscalls: %.0f) | %.0f | — |\n",
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

/* Null round trips on one vCPU: p50, p90 and the ratios the targets use. */
static void md_null(FILE *f, const char *clk)
{
	const struct rec *bare = find_lat(clk, "eventfd-bare", 0, 1, 0);
	const struct rec *us = find_lat(clk, "unix-stream", 0, 1, 0);
	static const char *const extra[] = { "door-ioctl+fd", "door-libdoor+fd", "scm-rights" };
	size_t i;

	fprintf(f, "| mechanism | min | p50 | p90 | p90/p50 | ÷ eventfd-bare (p50) | ÷ unix-stream (p50) |\n"
		   "|---|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < NMECH + 3; i++) {
		const char *m = i < NMECH ? lat_mechs[i] : extra[i - NMECH];
		const struct rec *r = find_lat(clk, m, 0, 1, 0);
		char b1[16] = "—", b2[16] = "—";

		if (!r)
			continue;
		if (bare && bare->median > 0)
			snprintf(b1, sizeof(b1), "%.2fx", r->median / bare->median);
		if (us && us->median > 0)
			snprintf(b2, sizeof(b2), "%.2fx", r->median / us->median);
		fprintf(f, "| %s | %.0f | %.0f | %.0f | %.2f | %s | %s |\n", m, r->min,
			r->median, r->p90, r->median > 0 ? r->p90 / r->median : 0, b1, b2);
	}
}

static void md_alive(FILE *f)
{
	int i, any = 0;

	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_ALIVE)
			any = 1;
	if (!any)
		return;
	fprintf(f, "\n## Null call with many doors alive (one vCPU, %s)\n\n", unit_of("icount"));
	fprintf(f, "The server process holds N idle doors besides the one called (RLIMIT_NOFILE and "
		   "fs.nr_open raised in the guest; the module bounds a process's doors by RLIMIT_NOFILE).\n\n");
	fprintf(f, "| mechanism | doors alive | min | p50 | p90 | ÷ 1 door (p50) |\n|---|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i], *one;

		if (r->kind != K_ALIVE)
			continue;
		one = find_alive(r->mech, 1);
		fprintf(f, "| %s | %d | %.0f | %.0f | %.0f | %.3fx |\n", r->mech, r->doors,
			r->min, r->median, r->p90,
			one && one->median > 0 ? r->median / one->median : 0);
	}
}

static void md_mem(FILE *f)
{
	int i, any = 0;
	const struct rec *mt = find_mem("thread-door"), *mp = find_mem("thread-pause");

	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_MEM)
			any = 1;
	if (!any)
		return;
	fprintf(f, "\n## Kernel memory per door and per parked server thread\n\n");
	fprintf(f, "/proc/meminfo (Slab, SUnreclaim, KernelStack, PageTables) and /proc/slabinfo read before "
		   "and after a child process makes N objects, divided by N (bytes each).  *door*: idle doors "
		   "(DOOR_IOC_CREATE; each is also an open file); *thread-door*: threads parked in "
		   "DOOR_IOC_RETURN; *thread-pause*: threads parked in pause(), the control for a thread's "
		   "own cost (64 KiB user stacks).\n\n");
	fprintf(f, "| objects | N | slab | of which unreclaimable | kernel stack | page tables | slab caches that grew (bytes each) |\n"
		   "|---|---:|---:|---:|---:|---:|---|\n");
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];
		char c[200];
		size_t k;

		if (r->kind != K_MEM)
			continue;
		snprintf(c, sizeof(c), "%s", r->caches);
		for (k = 0; c[k]; k++)
			if (c[k] == ',')
				c[k] = ' ';
		fprintf(f, "| %s | %ld | %.0f | %.0f | %.0f | %.0f | %s |\n", r->mech, r->n,
			r->slab, r->sunreclaim, r->kstack, r->ptables, c);
	}
	if (mt && mp)
		fprintf(f, "\nA parked server thread costs %.0f B of slab and kernel stack beyond a thread "
			   "parked in pause() (%.0f vs %.0f).\n",
			(mt->slab + mt->kstack) - (mp->slab + mp->kstack),
			mt->slab + mt->kstack, mp->slab + mp->kstack);
}

static void md_scaling(FILE *f)
{
	static const char *const sm[] = { "door-libdoor", "door-ioctl", SCALE_CONTROL };
	struct scaling sc;
	int i, r, k, maxr = 0, maxk = 0;
	size_t j;

	for (i = 0; i < nrec; i++)
		if (recs[i].kind == K_SCALE) {
			if (recs[i].round > maxr)
				maxr = recs[i].round;
			if (recs[i].clients > maxk)
				maxk = recs[i].clients;
		}
	if (!maxr)
		return;
	fprintf(f, "\n## Scaling: clients pinned one per vCPU, one shared door server (2 vCPUs, wall time)\n\n");
	fprintf(f, "K = 1..%d clients, client i pinned to vCPU i, all calling ONE door server process "
		   "(door server threads unpinned), against K independent eventfd-bare pairs with unpinned "
		   "servers: the control, in the same boot; a SCHED_IDLE spinner on each vCPU keeps it from halting (as in the cpus=2 latency cases).  Every round runs each configuration once "
		   "(interleaved); null calls/s.  Under TCG wall time is noisy: compare within a round.\n\n", maxk);
	fprintf(f, "| round |");
	for (j = 0; j < 3; j++)
		for (k = 1; k <= maxk; k++)
			fprintf(f, " %s K=%d |", sm[j], k);
	fprintf(f, "\n|---:|");
	for (j = 0; j < 3; j++)
		for (k = 1; k <= maxk; k++)
			fprintf(f, "---:|");
	fprintf(f, "\n");
	for (r = 1; r <= maxr; r++) {
		fprintf(f, "| %d |", r);
		for (j = 0; j < 3; j++)
			for (k = 1; k <= maxk; k++)
				fprintf(f, " %.0f |", scale_rate(sm[j], k, r));
		fprintf(f, "\n");
	}
	fprintf(f, "\n| door variant | door scaling 1->%d | control scaling | door ÷ control scaling (median; per round) | 1-client door ÷ one control pair (median; per round) |\n"
		   "|---|---:|---:|---|---|\n", maxk);
	for (j = 0; j < 2; j++)
		if (scaling_of(sm[j], &sc))
			fprintf(f, "| %s | %.2fx | %.2fx | %.2fx; %s | %.2fx; %s |\n", sm[j],
				sc.door_scale_med, sc.ctl_scale_med, sc.ratio_med, sc.ratios,
				sc.one_med, sc.ones);
}

static const char *out_name = "";	/* -n: results-NAME.md etc. */

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
	fprintf(f, "## Targets (issue 12)\n\n");
	for (i = 0; i < ntarget; i++)
		target_line(f, &targets[i], 1);

	fprintf(f, "\n## Null round trip, both ends on one vCPU, %s\n\n", unit_of(clock_for(1)));
	md_null(f, clock_for(1));
	md_alive(f);
	md_mem(f);
	md_scaling(f);

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
	fprintf(f, "| mechanism | payload | cpus | competitor | clock | min | median | p90 | p99 | samples | unit | server threads |\n"
		   "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|\n");
	for (i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];

		if (r->kind != K_LAT)
			continue;
		fprintf(f, "| %s | %lu | %d | %s | %s | %.0f | %.0f | %.0f | %.0f | %lu | %s | %s |\n",
			r->mech, r->payload, r->cpus, r->comp ? "yes" : "no",
			r->clock, r->min, r->median, r->p90, r->p99, r->samples, r->unit,
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
	fprintf(f, "\nPlot: [latency%s%s.svg](latency%s%s.svg). Raw data: [results%s%s.json](results%s%s.json).\n",
		*out_name ? "-" : "", out_name, *out_name ? "-" : "", out_name,
		*out_name ? "-" : "", out_name, *out_name ? "-" : "", out_name);
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

/* ---- the two-kernel summary (-S) ------------------------------------------ */

#define MAXK	4
#define NNULL	(NMECH + 3)

struct ksum {
	char kver[32], krel[80], git[64], when[64];
	int have;
	struct rec nul[NNULL];	/* null round trips, cpus=1, primary clock */
	struct target tg[32];
	int ntg;
	struct scaling sc[2];
	int have_sc[2];
	struct rec alive[2][3];
	struct rec mem[3];
	char clk[16];
};

static struct ksum ks[MAXK];
static int nks;

static const char *null_mech(size_t i)
{
	static const char *const extra[] = { "door-ioctl+fd", "door-libdoor+fd", "scm-rights" };

	return i < NMECH ? lat_mechs[i] : extra[i - NMECH];
}

/* A kernel's null round trip median of mechanism @name, 0 if none. */
static double null_median(const struct ksum *k, const char *name)
{
	size_t i;

	for (i = 0; i < NNULL; i++)
		if (!strcmp(null_mech(i), name))
			return k->nul[i].median;
	return 0;
}

static void load_kernel(const char *kver, const char *path)
{
	static const char *const dm[] = { "door-libdoor", "door-ioctl" };
	static const int nd[] = { 1, 1000, 100000 };
	static const char *const mw[] = { "door", "thread-door", "thread-pause" };
	struct ksum *k = &ks[nks++];
	const char *v;
	size_t i, j;
	int nlat = 0, nicount = 0, x;

	memset(k, 0, sizeof(*k));
	nrec = nmeta = ntarget = 0;
	snprintf(k->kver, sizeof(k->kver), "%s", kver);
	read_log(path);
	if (!nrec)
		return;
	k->have = 1;
	for (x = 0; x < nrec; x++)
		if (recs[x].kind == K_LAT) {
			nlat++;
			if (!strcmp(recs[x].clock, "icount"))
				nicount++;
		}
	primary_clock = nicount || !nlat ? "icount" : "wall";
	snprintf(k->clk, sizeof(k->clk), "%s", primary_clock);
	v = meta_get("icount", "kernel");
	if (!v)
		v = meta_get("wall", "kernel");
	snprintf(k->krel, sizeof(k->krel), "%s", v ? v : "?");
	v = meta_get("host", "git");
	snprintf(k->git, sizeof(k->git), "%s", v ? v : "?");
	v = meta_get("host", "date");
	snprintf(k->when, sizeof(k->when), "%s", v ? v : "?");
	eval_targets();
	memcpy(k->tg, targets, sizeof(targets));
	k->ntg = ntarget;
	for (i = 0; i < NNULL; i++) {
		const struct rec *r = find_lat(primary_clock, null_mech(i), 0, 1, 0);

		if (r)
			k->nul[i] = *r;
	}
	for (i = 0; i < 2; i++) {
		k->have_sc[i] = scaling_of(dm[i], &k->sc[i]) > 0;
		for (j = 0; j < 3; j++) {
			const struct rec *r = find_alive(dm[i], nd[j]);

			if (r)
				k->alive[i][j] = *r;
		}
	}
	for (i = 0; i < 3; i++) {
		const struct rec *r = find_mem(mw[i]);

		if (r)
			k->mem[i] = *r;
	}
}

/* The profile's category table of one case, from DIR/profile-KVER.md. */
static void copy_profile(FILE *f, const char *dir, const char *kver, const char *mech)
{
	char path[4096], line[1024], head[128];
	FILE *in;
	int on = 0;

	snprintf(path, sizeof(path), "%s/profile-%s.md", dir, kver);
	in = fopen(path, "r");
	if (!in) {
		fprintf(f, "(no %s: run `make profile KVER=%s`)\n", path, kver);
		return;
	}
	snprintf(head, sizeof(head), "### %s %s", kver, mech);
	while (fgets(line, sizeof(line), in)) {
		if (!strncmp(line, "### ", 4)) {
			on = !strncmp(line, head, strlen(head)) &&
			     (line[strlen(head)] == '\n' || line[strlen(head)] == '\r');
			if (on)
				fprintf(f, "#### %s: %s\n", kver, mech);
			continue;
		}
		if (on && !strncmp(line, "**", 2))
			break;
		if (on)
			fputs(line, f);
	}
	fclose(in);
}

static void write_summary(const char *dir)
{
	char path[4096];
	FILE *f;
	int k, i;
	size_t m;

	snprintf(path, sizeof(path), "%s/results.md", dir);
	f = fopen(path, "w");
	if (!f)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "# doorbench results: both kernels\n\n");
	fprintf(f, "Generated by `tools/bench.sh` (make bench, make bench KVER=6.12) from bench/raw-KVER.txt; "
		   "the full tables per kernel are in ");
	for (k = 0; k < nks; k++)
		fprintf(f, "%s[results-%s.md](results-%s.md)", k ? " and " : "", ks[k].kver, ks[k].kver);
	fprintf(f, ", the null round trip profiles (make profile) in ");
	for (k = 0; k < nks; k++)
		fprintf(f, "%s[profile-%s.md](profile-%s.md)", k ? " and " : "", ks[k].kver, ks[k].kver);
	fprintf(f, ".\n\n");
	for (k = 0; k < nks; k++)
		fprintf(f, "- %s: guest kernel %s, tree %s\n", ks[k].kver, ks[k].krel, ks[k].git);
	fprintf(f, "\nLatency: QEMU `-icount shift=0,sleep=off`, one vCPU, both ends on it: **guest instructions** "
		   "per round trip (deterministic path lengths), median (p50) and p90 of 2,000 individually timed "
		   "round trips, clock read subtracted.  eventfd-bare is the floor a round trip between two "
		   "processes can reach with a wakeup each way: two eventfds, the 8-byte counter is the whole "
		   "message.  Scaling is wall time on 2 vCPUs (multi-threaded TCG, a shared host), judged "
		   "against a control in the same boot.\n\n");

	fprintf(f, "## Targets (issue 12)\n\n| target | variant |");
	for (k = 0; k < nks; k++)
		fprintf(f, " %s |", ks[k].kver);
	fprintf(f, "\n|---|---|");
	for (k = 0; k < nks; k++)
		fprintf(f, "---|");
	fprintf(f, "\n");
	for (i = 0; i < ks[0].ntg; i++) {
		fprintf(f, "| %s | %s |", ks[0].tg[i].name, ks[0].tg[i].door);
		for (k = 0; k < nks; k++) {
			const struct target *t = i < ks[k].ntg ? &ks[k].tg[i] : NULL;

			if (!t || !t->known)
				fprintf(f, " not measured |");
			else
				fprintf(f, " **%s** %.3fx |", t->pass ? "PASS" : "MISS", t->measured);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\nThe figures behind each verdict:\n\n");
	for (k = 0; k < nks; k++)
		for (i = 0; i < ks[k].ntg; i++)
			if (ks[k].tg[i].known)
				fprintf(f, "- %s, %s [%s]: %s\n", ks[k].kver, ks[k].tg[i].name,
					ks[k].tg[i].door, ks[k].tg[i].detail);

	fprintf(f, "\n## Null round trip, one vCPU, guest instructions\n\n| mechanism |");
	for (k = 0; k < nks; k++)
		fprintf(f, " %s p50 | %s p90 | %s ÷ eventfd-bare |", ks[k].kver, ks[k].kver, ks[k].kver);
	fprintf(f, "\n|---|");
	for (k = 0; k < nks; k++)
		fprintf(f, "---:|---:|---:|");
	fprintf(f, "\n");
	for (m = 0; m < NNULL; m++) {
		int any = 0;

		for (k = 0; k < nks; k++)
			if (ks[k].nul[m].median > 0)
				any = 1;
		if (!any)
			continue;
		fprintf(f, "| %s |", null_mech(m));
		for (k = 0; k < nks; k++) {
			const struct rec *r = &ks[k].nul[m];
			double bare = null_median(&ks[k], "eventfd-bare");

			if (r->median > 0)
				fprintf(f, " %.0f | %.0f | %.2fx |", r->median, r->p90,
					bare > 0 ? r->median / bare : 0);
			else
				fprintf(f, " — | — | — |");
		}
		fprintf(f, "\n");
	}

	fprintf(f, "\n## Scaling, 1 -> 2 clients pinned one per vCPU, one shared door server (wall time)\n\n");
	fprintf(f, "| kernel | door variant | door calls/s K=1 -> K=2 | control (eventfd-bare pairs) K=1 -> K=2 | door ÷ control scaling, median (per round) | 1-client door ÷ one control pair, median (per round) |\n|---|---|---|---|---|---|\n");
	for (k = 0; k < nks; k++)
		for (i = 0; i < 2; i++) {
			const struct scaling *sc = &ks[k].sc[i];

			if (!ks[k].have_sc[i])
				continue;
			fprintf(f, "| %s | %s | %.0f -> %.0f (%.2fx) | %.0f -> %.0f (%.2fx) | %.2fx (%s) | %.2fx (%s) |\n",
				ks[k].kver, i ? "door-ioctl" : "door-libdoor", sc->d1, sc->d2,
				sc->door_scale_med, sc->c1, sc->c2, sc->ctl_scale_med,
				sc->ratio_med, sc->ratios, sc->one_med, sc->ones);
		}

	fprintf(f, "\n## Null call with 1, 1,000 and 100,000 doors alive in the server (p50, guest instructions)\n\n| door variant | doors |");
	for (k = 0; k < nks; k++)
		fprintf(f, " %s p50 | %s p90 |", ks[k].kver, ks[k].kver);
	fprintf(f, "\n|---|---:|");
	for (k = 0; k < nks; k++)
		fprintf(f, "---:|---:|");
	fprintf(f, "\n");
	for (i = 0; i < 2; i++) {
		static const int nd[] = { 1, 1000, 100000 };
		int j;

		for (j = 0; j < 3; j++) {
			fprintf(f, "| %s | %d |", i ? "door-ioctl" : "door-libdoor", nd[j]);
			for (k = 0; k < nks; k++) {
				const struct rec *r = &ks[k].alive[i][j];

				if (r->median > 0)
					fprintf(f, " %.0f | %.0f |", r->median, r->p90);
				else
					fprintf(f, " — | — |");
			}
			fprintf(f, "\n");
		}
	}

	fprintf(f, "\n## Kernel memory (bytes each, from /proc/meminfo before/after N objects)\n\n| objects |");
	for (k = 0; k < nks; k++)
		fprintf(f, " %s slab | %s kernel stack |", ks[k].kver, ks[k].kver);
	fprintf(f, "\n|---|");
	for (k = 0; k < nks; k++)
		fprintf(f, "---:|---:|");
	fprintf(f, "\n");
	for (i = 0; i < 3; i++) {
		static const char *const mw[] = { "idle door", "thread parked in DOOR_IOC_RETURN",
						  "thread parked in pause() (control)" };

		fprintf(f, "| %s |", mw[i]);
		for (k = 0; k < nks; k++) {
			const struct rec *r = &ks[k].mem[i];

			if (r->n)
				fprintf(f, " %.0f | %.0f |", r->slab, r->kstack);
			else
				fprintf(f, " — | — |");
		}
		fprintf(f, "\n");
	}

	fprintf(f, "\n## Where the instructions of a null round trip go (make profile)\n\n");
	fprintf(f, "ftrace function_graph in the icount guest; each function's exclusive guest instructions, "
		   "the tracer's own cost removed (tools/doorbench/doorprof.c).  Top functions of the door_call "
		   "and door_return paths by inclusive and exclusive counts: the profile files.\n\n");
	for (k = 0; k < nks; k++) {
		copy_profile(f, dir, ks[k].kver, "door-libdoor");
		fprintf(f, "\n");
		copy_profile(f, dir, ks[k].kver, "eventfd-bare");
		fprintf(f, "\n");
	}
	fprintf(f, "### One descriptor per call\n\n"
		   "door-libdoor+fd: the door call, the server's close(2) of the descriptor it received "
		   "(a third system call), its door_return.\n\n");
	for (k = 0; k < nks; k++) {
		copy_profile(f, dir, ks[k].kver, "door-libdoor+fd");
		fprintf(f, "\n");
	}
	fprintf(f, "## Mechanisms\n\n");
	for (m = 0; m < NMECH; m++)
		fprintf(f, "- **%s**: %s\n", lat_mechs[m], mech_note(lat_mechs[m]));
	fprintf(f, "- **door-ioctl+fd / door-libdoor+fd**: %s\n", mech_note("door-ioctl+fd"));
	fprintf(f, "- **scm-rights**: %s\n", mech_note("scm-rights"));
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
	int i, nlat = 0, nicount = 0, summary = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cmdline = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			out_name = argv[++i];
		else if (!strcmp(argv[i], "-S"))
			summary = 1;
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
	if (summary) {
		/* -S KVER=RAWLOG...: bench/results.md over the kernels. */
		for (; i < argc && nks < MAXK; i++) {
			char kv[32], *eq = strchr(argv[i], '=');

			if (!eq || eq - argv[i] >= (long)sizeof(kv))
				die("-S wants KVER=LOG arguments");
			snprintf(kv, sizeof(kv), "%.*s", (int)(eq - argv[i]), argv[i]);
			load_kernel(kv, eq + 1);
		}
		write_summary(dir);
		return 0;
	}
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
	snprintf(path, sizeof(path), "%s/results%s%s.json", dir, *out_name ? "-" : "", out_name);
	write_json(path, cmdline);
	snprintf(path, sizeof(path), "%s/latency%s%s.svg", dir, *out_name ? "-" : "", out_name);
	write_svg(path);
	print_summary();
	/* write_md sorts recs: last. */
	snprintf(path, sizeof(path), "%s/results%s%s.md", dir, *out_name ? "-" : "", out_name);
	write_md(path, cmdline);
	return 0;
}
