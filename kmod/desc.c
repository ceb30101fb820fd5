// SPDX-License-Identifier: GPL-2.0
/*
 * desc.c - payloads: data and descriptors on their way between processes.
 *
 * The sender's data is copied into a kernel buffer (or, for a caller's
 * large arguments, its pages are pinned) and its descriptors are turned
 * into file references (door_payload_get, in the sender's context).  The
 * receiver copies the data out and installs the files as new descriptors
 * at the lowest free numbers (door_payload_put, in the receiver's
 * context), so no task writes another task's fd table.  The one write
 * into another task's memory is a server's large results, copied into
 * the result buffer its caller pinned for them while the caller waits
 * (door_results_place in call.c); the payload then only carries the
 * descriptors (door_payload_placed).  Whoever
 * holds a payload that is not delivered frees it, which drops the file
 * references: nothing is installed twice or leaked.
 *
 * A door in flight counts as a reference to it, and its receiver gets a
 * new file of the door (so that each holder's close is seen, object.c).
 * Received descriptors are not close-on-exec; their entries follow the
 * data at a multiple of the entry size.
 *
 * Taking a payload does not close the sender's DOOR_RELEASE descriptors:
 * it notes them (struct door_release), and the sender closes them itself
 * once the payload is delivered, so that a call that fails before a server
 * thread takes it leaves them open, as on illumos.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/uaccess.h>
#include <linux/highmem.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/capability.h>
#include <linux/sched/user.h>
#include <linux/cred.h>

#include "door_internal.h"

#define DOOR_DESC_ATTR_MASK	(DOOR_DESCRIPTOR | DOOR_RELEASE)

/*
 * Payload memory is charged to the sender's memory cgroup; over its limit
 * the sender gets ENOMEM rather than the cgroup's OOM killer.
 */
#define DOOR_GFP_PAYLOAD	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* Where the payload's descriptors are: inline for a few. */
static struct door_pdesc *door_payload_desc(struct door_payload *p)
{
	return p->desc ? p->desc : p->inline_desc;
}

/* Where the payload's data is: inline for small sizes. */
static void *door_payload_data(struct door_payload *p)
{
	return p->data ? p->data : p->inline_data;
}

/*
 * Charge @n pages about to be pinned, as io_uring charges its buffers: to
 * the calling user's locked_vm against RLIMIT_MEMLOCK (unless it has
 * CAP_IPC_LOCK), and to the task's pinned_vm, which VmPin shows.  Takes a
 * reference to the user and the mm in *@user and *@mm.  False if over the
 * limit.
 */
static bool door_pin_charge(unsigned long n, struct user_struct **user,
			    struct mm_struct **mm)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	struct user_struct *u = current_user();
	long cur, new;

	if (!has_capability_noaudit(current, CAP_IPC_LOCK)) {
		cur = atomic_long_read(&u->locked_vm);
		do {
			if (check_add_overflow(cur, (long)n, &new) ||
			    new > limit)
				return false;
		} while (!atomic_long_try_cmpxchg(&u->locked_vm, &cur, new));
		*user = get_uid(u);
	} else {
		*user = NULL;
	}
	*mm = current->mm;
	mmgrab(*mm);
	atomic64_add(n, &(*mm)->pinned_vm);
	return true;
}

static void door_pin_uncharge(struct user_struct *user, struct mm_struct *mm,
			      unsigned long n)
{
	if (user) {
		atomic_long_sub(n, &user->locked_vm);
		free_uid(user);
	}
	atomic64_sub(n, &mm->pinned_vm);
	mmdrop(mm);
}

/* door_payload_free() of a payload that is not empty. */
void __door_payload_free(struct door_payload *p)
{
	struct door_pdesc *pd;
	u32 i;

	pd = door_payload_desc(p);
	for (i = 0; i < p->ndesc; i++) {
		if (pd[i].file)
			fput(pd[i].file);
		if (pd[i].door) {
			door_ref_put(pd[i].door);
			door_put(pd[i].door);
		}
	}
	/* Small payloads have neither: no call at all for them. */
	if (p->desc)
		kvfree(p->desc);
	if (p->data)
		kvfree(p->data);
	if (p->pin.pages)
		door_pin_release(&p->pin, false);
	door_payload_init(p);
}

/* door_release_drop() of a note that has its own array. */
void __door_release_drop(struct door_release *rel)
{
	kvfree(rel->fds);
	door_release_init(rel);
}

/*
 * Close, in the calling task's descriptor table, the descriptors noted in
 * @rel: the sender's own DOOR_RELEASE descriptors, now that what they
 * passed is delivered.  A number that no longer names the file it named
 * when the payload was taken (the sender closed it meanwhile, and may have
 * reused it) is left alone.  The comparison takes no lasting reference,
 * so that the final put of a passed file never waits for the sender's
 * return to user space.
 */
void __door_release_close(struct door_release *rel)
{
	struct door_release_fd *rf = rel->fds ? rel->fds : rel->inline_fds;
	struct file *file;
	bool same;
	u32 i;

	for (i = 0; i < rel->n; i++) {
		file = door_fget(rf[i].fd);
		if (!file)
			continue;
		same = file == rf[i].file;
		door_fput(file);
		if (same)
			close_fd(rf[i].fd);
	}
	door_release_drop(rel);
}

/* Note the sender's descriptor @fd, naming @file, to release later. */
static int door_release_note(struct door_release *rel, u32 ndesc, int fd,
			     const struct file *file)
{
	struct door_release_fd *rf = rel->inline_fds;

	if (ndesc > DOOR_INLINE_DESC) {
		if (!rel->fds) {
			rel->fds = kvcalloc(ndesc, sizeof(*rel->fds),
					    GFP_KERNEL_ACCOUNT);
			if (!rel->fds)
				return -ENOMEM;
		}
		rf = rel->fds;
	}
	rf[rel->n].fd = fd;
	rf[rel->n].file = file;
	rel->n++;
	return 0;
}

static int door_payload_get_desc(struct door_payload *p, u64 udesc, u32 ndesc,
				 struct door_release *rel)
{
	struct door_ioc_desc __user *ud = u64_to_user_ptr(udesc);
	struct door_pdesc *pd;
	struct door_ioc_desc d;
	struct door_object *door;
	struct file *file;
	int ret;
	u32 i;

	if (ndesc > DOOR_INLINE_DESC) {
		p->desc = kvcalloc(ndesc, sizeof(*p->desc), GFP_KERNEL_ACCOUNT);
		if (!p->desc)
			return -ENOMEM;
	}
	for (i = 0; i < ndesc; i++) {
		if (copy_from_user(&d, &ud[i], sizeof(d)))
			return -EFAULT;
		if (!(d.d_attributes & DOOR_DESCRIPTOR) ||
		    (d.d_attributes & ~DOOR_DESC_ATTR_MASK))
			return -EINVAL;
		file = door_fget(d.d_descriptor);
		if (!file)
			return -EINVAL;
		if (d.d_attributes & DOOR_RELEASE) {
			ret = door_release_note(rel, ndesc, d.d_descriptor,
						file);
			if (ret) {
				door_fput(file);
				return ret;
			}
		}
		pd = &door_payload_desc(p)[i];
		memset(pd, 0, sizeof(*pd));
		door = door_from_file(file);
		if (door) {
			kref_get(&door->ref);
			door_ref_get(door);
			door_fput(file);
			pd->door = door;
			pd->id = door->id;
		} else {
			pd->file = file;
		}
		p->ndesc = i + 1;
	}
	return 0;
}

/*
 * Pin the calling task's pages holding @size bytes at @uptr (@gup_flags:
 * FOLL_WRITE for pages the kernel will write).  They stay valid, whatever
 * the task does, until door_pin_release().  They are pinned long-term (the
 * call may wait for long) and charged (above).  Pages to write must be
 * anonymous: a file's page cache written through a long-term pin, behind
 * its filesystem's back, is what newer kernels refuse to pin for writing
 * at all.  Returns 1 if they are not pinned: over the limit, or pages that
 * cannot be pinned long-term (or written, or are not anonymous); -EFAULT
 * for a range that is no user address.
 */
int door_pin_user(struct door_pin *pin, u64 uptr, u64 size,
		  unsigned int gup_flags)
{
	unsigned long start = uptr & PAGE_MASK;
	struct user_struct *user;
	struct mm_struct *mm;
	struct page **pages;
	u64 end;
	long n;
	int got;

	if (check_add_overflow(uptr, size, &end) ||
	    !access_ok(u64_to_user_ptr(uptr), size))
		return -EFAULT;
	n = (PAGE_ALIGN(end) - start) >> PAGE_SHIFT;
	if (n > INT_MAX || !door_pin_charge(n, &user, &mm))
		return 1;
	pages = kvmalloc_array(n, sizeof(*pages), DOOR_GFP_PAYLOAD);
	if (!pages) {
		door_pin_uncharge(user, mm, n);
		return -ENOMEM;
	}
	got = pin_user_pages_fast(start, n, FOLL_LONGTERM | gup_flags, pages);
	if (got == n && (gup_flags & FOLL_WRITE)) {
		long i;

		for (i = 0; i < n && PageAnon(pages[i]); i++)
			;
		if (i < n) {
			unpin_user_pages(pages, got);
			got = 0;
		}
	}
	if (got != n) {
		if (got > 0)
			unpin_user_pages(pages, got);
		kvfree(pages);
		door_pin_uncharge(user, mm, n);
		return 1;
	}
	pin->user = user;
	pin->mm = mm;
	pin->pages = pages;
	pin->npages = n;
	pin->offset = offset_in_page(uptr);
	pin->len = size;
	return 0;
}

/*
 * Unpin and uncharge, from any task.  @dirty: the kernel wrote into the
 * pages (through their kernel mapping): mark them dirty, so that what was
 * written is not lost (written back, or kept in swap).
 */
void door_pin_release(struct door_pin *pin, bool dirty)
{
	if (dirty)
		unpin_user_pages_dirty_lock(pin->pages, pin->npages, true);
	else
		unpin_user_pages(pin->pages, pin->npages);
	kvfree(pin->pages);
	door_pin_uncharge(pin->user, pin->mm, pin->npages);
	pin->pages = NULL;
}

/* Copy pinned data to the calling task's @dst. */
static int door_payload_copy_pages(struct door_payload *p, void __user *dst)
{
	size_t done = 0, off = p->pin.offset, len;
	unsigned int i;
	void *kaddr;
	int left;

	for (i = 0; done < p->size; i++) {
		len = min_t(size_t, PAGE_SIZE - off, p->size - done);
		kaddr = kmap_local_page(p->pin.pages[i]);
		left = copy_to_user(dst + done, kaddr + off, len);
		kunmap_local(kaddr);
		if (left)
			return -EFAULT;
		done += len;
		off = 0;
	}
	return 0;
}

/*
 * Take @size bytes at @uptr and @ndesc descriptors at @udesc from the
 * calling task.  The caller has bounded @size and @ndesc.  With @pin, large
 * data is left in the task's pinned pages: only for a sender that stays
 * blocked until the receiver has copied it (a caller's arguments), never
 * for results, whose server goes on at once and may reuse the memory.
 * The descriptors marked DOOR_RELEASE are noted in @rel and stay open:
 * the sender closes them (door_release_close) once the payload is
 * delivered.  On failure nothing is taken and @rel is empty.
 */
int __door_payload_get(struct door_payload *p, u64 uptr, u64 size,
		       u64 udesc, u32 ndesc, bool pin, struct door_release *rel)
{
	int ret;

	door_payload_init(p);
	door_release_init(rel);
	/* A bad address is told by the copy (EFAULT), like the rest. */
	if (pin && size >= DOOR_PIN_MIN &&
	    door_pin_user(&p->pin, uptr, size, 0) == 0)
		p->size = size;
	if (!p->pin.pages && size > DOOR_INLINE_MAX) {
		p->data = kvmalloc(size, DOOR_GFP_PAYLOAD);
		if (!p->data)
			return -ENOMEM;
	}
	if (size && !p->pin.pages) {
		p->size = size;
		if (copy_from_user(door_payload_data(p), u64_to_user_ptr(uptr),
				   size)) {
			ret = -EFAULT;
			goto fail;
		}
	}
	if (ndesc) {
		ret = door_payload_get_desc(p, udesc, ndesc, rel);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	door_payload_free(p);
	door_release_drop(rel);
	return ret;
}

/* The payload passes a door (a reference that goes if it is dropped). */
bool __door_payload_has_doors(const struct door_payload *p)
{
	const struct door_pdesc *pd = p->desc ? p->desc : p->inline_desc;
	u32 i;

	for (i = 0; i < p->ndesc; i++)
		if (pd[i].door)
			return true;
	return false;
}

/* Where the descriptor entries start: the data rounded up to an entry. */
static size_t door_payload_desc_offset(const struct door_payload *p)
{
	/* The data is at most DOOR_MAX_DATA_LIMIT: no overflow. */
	return roundup(p->size, DOOR_DESC_SIZE);
}

/* Bytes the payload occupies in the receiver: data, then the entries. */
size_t __door_payload_span(const struct door_payload *p)
{
	/* Sizes are bounded by max_data and DOOR_MAX_DESC; saturate anyway. */
	return size_add(door_payload_desc_offset(p),
			size_mul(p->ndesc, DOOR_DESC_SIZE));
}

/*
 * The attributes of a received descriptor, as illumos' door_insert() sets
 * them: DOOR_DESCRIPTOR, plus for a door what door_info() would show the
 * receiver (the calling task) at this moment, DOOR_LOCAL when it is the
 * door's server, DOOR_REVOKED, and so on; DOOR_IS_UNREF is a property of
 * a descriptor, not of the door, and is left out.
 */
static u32 door_received_attributes(struct file *file)
{
	struct door_object *door = door_from_file(file);
	struct door_ioc_info info;

	if (!door)
		return DOOR_DESCRIPTOR;
	door_fill_info(door, &info);
	return DOOR_DESCRIPTOR | (info.attributes & ~DOOR_IS_UNREF);
}

/*
 * Deliver the payload to the calling task at @dst, which has room for
 * door_payload_span() bytes: copy the data, install the descriptors and
 * write their door_desc_t entries after the data.  *@udesc_out receives the
 * address of the entries (0 without descriptors).  On failure nothing is
 * installed and the payload still owns its files.
 */
int __door_payload_put(struct door_payload *p, void __user *dst,
		       u64 *udesc_out)
{
	struct door_pdesc *pdesc = door_payload_desc(p);
	struct door_ioc_desc __user *ud;
	struct door_ioc_desc d;
	int fds_small[8], *fds = fds_small;
	int ret = 0;
	u32 i, n = 0;

	*udesc_out = 0;
	if (p->pin.pages) {
		if (door_payload_copy_pages(p, dst))
			return -EFAULT;
	} else if (p->size && !door_payload_placed(p) &&
		   copy_to_user(dst, door_payload_data(p), p->size)) {
		return -EFAULT;
	}
	if (!p->ndesc)
		return 0;

	/* Doors in flight become new files, each keeping its reference. */
	for (i = 0; i < p->ndesc; i++) {
		struct door_pdesc *pd = &door_payload_desc(p)[i];
		struct file *file;

		if (!pd->door)
			continue;
		file = door_file_adopt(pd->door);
		if (IS_ERR(file))
			return PTR_ERR(file);
		door_put(pd->door);
		pd->door = NULL;
		pd->file = file;
	}

	if (p->ndesc > ARRAY_SIZE(fds_small)) {
		fds = kvcalloc(p->ndesc, sizeof(*fds), GFP_KERNEL_ACCOUNT);
		if (!fds)
			return -ENOMEM;
	}
	ud = dst + door_payload_desc_offset(p);
	for (n = 0; n < p->ndesc; n++) {
		/* Not close-on-exec, doors included, as illumos installs them. */
		fds[n] = get_unused_fd_flags(0);
		if (fds[n] < 0) {
			ret = -EMFILE;
			goto fail;
		}
		memset(&d, 0, sizeof(d));
		d.d_attributes = door_received_attributes(pdesc[n].file);
		d.d_descriptor = fds[n];
		d.d_id = pdesc[n].id;
		if (copy_to_user(&ud[n], &d, sizeof(d))) {
			n++;
			ret = -EFAULT;
			goto fail;
		}
	}
	for (i = 0; i < p->ndesc; i++) {
		fd_install(fds[i], pdesc[i].file);
		pdesc[i].file = NULL;
	}
	if (fds != fds_small)
		kvfree(fds);
	*udesc_out = (u64)(uintptr_t)ud;
	return 0;
fail:
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			put_unused_fd(fds[i]);
	if (fds != fds_small)
		kvfree(fds);
	return ret;
}
