// SPDX-License-Identifier: GPL-2.0
/*
 * doorfs.c - the door pseudo filesystem, and fattach.
 *
 * Every door has an inode on an internal mount of doorfs; its descriptors
 * are files of that inode.  fattach() mounts a new doorfs instance, given
 * "fd=N" naming a door descriptor (and "mode", "uid", "gid" for the file it
 * shows), over an existing regular file: the root of that instance is a
 * regular-file inode standing for the door, so a plain open() of the path
 * yields a door descriptor.  The instance holds a reference to the door
 * (see door_ref_get) until fdetach detaches it ("detach" given to a
 * remount: libdoor's fdetach does that before its lazy unmount, so that
 * copies of the mount in other mount namespaces let it go too), or until
 * the instance goes.  Descriptors opened through the path before stay
 * valid, each a reference of its own.
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/mount.h>
#include <linux/slab.h>
#include <linux/file.h>
#include <linux/cred.h>

#include "door_internal.h"
#include "compat.h"

static struct vfsmount *door_mnt;
static struct file_system_type doorfs_type;

struct doorfs_ctx {
	struct door_object *door;	/* fattach: the door, reference held */
	bool has_fd;
	bool detach;			/* remount: fdetach */
	int fd;
	umode_t mode;			/* of the attached file */
	kuid_t uid;
	kgid_t gid;
};

enum {
	DOORFS_OPT_FD, DOORFS_OPT_MODE, DOORFS_OPT_UID, DOORFS_OPT_GID,
	DOORFS_OPT_DETACH,
};

/*
 * fd: the door to attach.  mode, uid, gid: the attached file's permission
 * bits and owner; libdoor passes those of the file it covers, as Solaris'
 * namefs shows them.  Default 0666 and the mounter's fsuid/fsgid.
 */
static const struct fs_parameter_spec doorfs_params[] = {
	fsparam_u32("fd", DOORFS_OPT_FD),
	fsparam_u32oct("mode", DOORFS_OPT_MODE),
	fsparam_u32("uid", DOORFS_OPT_UID),
	fsparam_u32("gid", DOORFS_OPT_GID),
	fsparam_flag("detach", DOORFS_OPT_DETACH),
	{}
};

static int doorfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct doorfs_ctx *ctx = fc->fs_private;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, doorfs_params, param, &result);
	if (opt < 0)
		return opt;
	switch (opt) {
	case DOORFS_OPT_FD:
		ctx->fd = result.uint_32;
		ctx->has_fd = true;
		break;
	case DOORFS_OPT_MODE:
		ctx->mode = result.uint_32 & 0777;
		break;
	case DOORFS_OPT_UID:
		ctx->uid = make_kuid(current_user_ns(), result.uint_32);
		if (!uid_valid(ctx->uid))
			return invalf(fc, "doorfs: unmapped uid");
		break;
	case DOORFS_OPT_GID:
		ctx->gid = make_kgid(current_user_ns(), result.uint_32);
		if (!gid_valid(ctx->gid))
			return invalf(fc, "doorfs: unmapped gid");
		break;
	case DOORFS_OPT_DETACH:
		ctx->detach = true;
		break;
	}
	return 0;
}

static void doorfs_evict_attached(struct inode *inode)
{
	struct door_object *door;

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	door = door_inode_take(inode);
	if (door) {
		door_ref_put(door);
		door_put(door);
	}
}

static const struct super_operations doorfs_internal_sops = {
	.statfs = simple_statfs,
	.drop_inode = generic_delete_inode,
};

static const struct super_operations doorfs_attached_sops = {
	.statfs = simple_statfs,
	.drop_inode = generic_delete_inode,
	.evict_inode = doorfs_evict_attached,
};

static int doorfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct doorfs_ctx *ctx = fc->fs_private;
	struct inode *inode;

	sb->s_magic = DOORFS_MAGIC;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_time_gran = 1;
	sb->s_op = ctx->door ? &doorfs_attached_sops : &doorfs_internal_sops;

	inode = new_inode(sb);
	if (!inode)
		return -ENOMEM;
	inode->i_ino = 1;
	door_inode_init_ts(inode);
	if (ctx->door) {
		inode->i_mode = S_IFREG | ctx->mode;
		inode->i_uid = ctx->uid;
		inode->i_gid = ctx->gid;
		inode->i_fop = &door_fops;
		/* The inode takes over the context's door reference. */
		inode->i_private = ctx->door;
		ctx->door = NULL;
	} else {
		inode->i_mode = S_IFDIR | 0500;
		inode->i_op = &simple_dir_inode_operations;
		inode->i_fop = &simple_dir_operations;
		set_nlink(inode, 2);
	}
	sb->s_root = d_make_root(inode);
	return sb->s_root ? 0 : -ENOMEM;
}

static int doorfs_get_tree(struct fs_context *fc)
{
	struct doorfs_ctx *ctx = fc->fs_private;
	struct door_object *door;
	struct file *file;

	if (fc->fs_type == &doorfs_type) {
		if (!ctx->has_fd)
			return invalf(fc, "doorfs: fd=N (a door descriptor) is required");
		file = door_fget(ctx->fd);
		if (!file)
			return -EBADF;
		door = door_from_file(file);
		if (!door) {
			fput(file);
			return invalf(fc, "doorfs: fd %d is not a door", ctx->fd);
		}
		kref_get(&door->ref);
		door_ref_get(door);
		door_fput(file);
		ctx->door = door;
	}
	return get_tree_nodev(fc, doorfs_fill_super);
}

static void doorfs_free_fc(struct fs_context *fc)
{
	struct doorfs_ctx *ctx = fc->fs_private;

	if (ctx && ctx->door) {
		door_ref_put(ctx->door);
		door_put(ctx->door);
	}
	kfree(ctx);
}

/*
 * A remount.  "detach" (fdetach): the attached instance lets its door go
 * at once; later opens through the path fail with ENXIO.  Nothing else
 * changes.
 */
static int doorfs_reconfigure(struct fs_context *fc)
{
	struct doorfs_ctx *ctx = fc->fs_private;
	struct super_block *sb = fc->root->d_sb;
	struct door_object *door;

	if (ctx->has_fd)
		return invalf(fc, "doorfs: fd= cannot change on a remount");
	if (!ctx->detach)
		return 0;
	if (sb->s_op != &doorfs_attached_sops)
		return invalf(fc, "doorfs: not an attached door");
	door = door_inode_take(d_inode(sb->s_root));
	if (door) {
		door_ref_put(door);
		door_put(door);
	}
	return 0;
}

static const struct fs_context_operations doorfs_context_ops = {
	.parse_param = doorfs_parse_param,
	.get_tree = doorfs_get_tree,
	.reconfigure = doorfs_reconfigure,
	.free = doorfs_free_fc,
};

static int doorfs_init_fs_context(struct fs_context *fc)
{
	struct doorfs_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->mode = 0666;
	ctx->uid = current_fsuid();
	ctx->gid = current_fsgid();
	fc->fs_private = ctx;
	fc->ops = &doorfs_context_ops;
	return 0;
}

/* fattach mounts: each pins the module until it is unmounted. */
static struct file_system_type doorfs_type = {
	.owner = THIS_MODULE,
	.name = DOORFS_TYPE,
	.init_fs_context = doorfs_init_fs_context,
	.parameters = doorfs_params,
	.kill_sb = kill_anon_super,
	.fs_flags = FS_USERNS_MOUNT,
};

/*
 * The internal mount holding the doors' own inodes.  It has no owner, so
 * that it does not pin the module; the files on it do.
 */
static struct file_system_type doorfs_internal_type = {
	.name = DOORFS_TYPE,
	.init_fs_context = doorfs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/* A new inode on the internal mount for @door; the door holds it. */
struct inode *doorfs_new_inode(struct door_object *door)
{
	struct inode *inode = new_inode(door_mnt->mnt_sb);

	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->i_ino = get_next_ino();
	inode->i_mode = S_IFREG | 0600;
	inode->i_uid = current_fsuid();
	inode->i_gid = current_fsgid();
	door_inode_init_ts(inode);
	inode->i_fop = &door_fops;
	inode->i_private = door;
	return inode;
}

/*
 * A new open file of the door's inode; the caller sets its private_data
 * and accounts the reference (object.c).  Like every open file it pins the
 * module (__fput drops that).
 */
struct file *doorfs_new_file(struct door_object *door)
{
	struct file *file;

	if (!try_module_get(THIS_MODULE))
		return ERR_PTR(-ENODEV);
	ihold(door->inode);
	file = alloc_file_pseudo(door->inode, door_mnt, "door", O_RDWR,
				 &door_fops);
	if (IS_ERR(file)) {
		iput(door->inode);
		module_put(THIS_MODULE);
		return file;
	}
	return file;
}

int doorfs_init(void)
{
	int ret = register_filesystem(&doorfs_type);

	if (ret)
		return ret;
	door_mnt = kern_mount(&doorfs_internal_type);
	if (IS_ERR(door_mnt)) {
		unregister_filesystem(&doorfs_type);
		return PTR_ERR(door_mnt);
	}
	return 0;
}

void doorfs_exit(void)
{
	kern_unmount(door_mnt);
	unregister_filesystem(&doorfs_type);
}
