/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_layout.c - the Solaris types and the kernel ABI structures have the
 * sizes and field offsets the other side expects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <door.h>
#include <ucred.h>
#include <door_ioctl.h>

#define OFF(t, f)	((long)offsetof(t, f))

/* The kernel reads/writes door_desc_t arrays as struct door_ioc_desc. */
static void desc_matches_ioc_desc(void **state)
{
	door_desc_t a[2];

	(void)state;
	assert_int_equal(sizeof(door_desc_t), 24);
	assert_int_equal(sizeof(struct door_ioc_desc), 24);
	assert_int_equal((char *)&a[1] - (char *)&a[0], 24);
	assert_int_equal(OFF(door_desc_t, d_attributes),
			 OFF(struct door_ioc_desc, d_attributes));
	assert_int_equal(OFF(door_desc_t, d_data.d_desc.d_descriptor),
			 OFF(struct door_ioc_desc, d_descriptor));
	assert_int_equal(OFF(door_desc_t, d_data.d_desc.d_id),
			 OFF(struct door_ioc_desc, d_id));
	assert_int_equal(OFF(door_desc_t, d_data.d_desc.d_descriptor), 4);
	assert_int_equal(OFF(door_desc_t, d_data.d_desc.d_id), 8);
}

/* illumos packs door_info_t to 4 bytes: 48 bytes on LP64. */
static void door_info_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(door_info_t), 48);
	assert_int_equal(OFF(door_info_t, di_target), 0);
	assert_int_equal(OFF(door_info_t, di_proc), 4);
	assert_int_equal(OFF(door_info_t, di_data), 12);
	assert_int_equal(OFF(door_info_t, di_attributes), 20);
	assert_int_equal(OFF(door_info_t, di_uniquifier), 24);
	assert_int_equal(OFF(door_info_t, di_resv), 32);
}

static void door_arg_and_cred_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(door_arg_t), 48);
	assert_int_equal(OFF(door_arg_t, data_ptr), 0);
	assert_int_equal(OFF(door_arg_t, data_size), 8);
	assert_int_equal(OFF(door_arg_t, desc_ptr), 16);
	assert_int_equal(OFF(door_arg_t, desc_num), 24);
	assert_int_equal(OFF(door_arg_t, rbuf), 32);
	assert_int_equal(OFF(door_arg_t, rsize), 40);
	assert_int_equal(sizeof(door_cred_t), 36);
	assert_int_equal(OFF(door_cred_t, dc_pid), 16);
	assert_int_equal(sizeof(door_ptr_t), 8);
	assert_int_equal(sizeof(door_id_t), 8);
	assert_int_equal(sizeof(door_attr_t), 4);
}

/* Fixed-width ABI structures: same layout for every user ABI. */
static void ioctl_structs_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct door_ioc_create), 32);
	assert_int_equal(OFF(struct door_ioc_create, id), 24);
	assert_int_equal(sizeof(struct door_ioc_call), 48);
	assert_int_equal(OFF(struct door_ioc_call, flags), 28);
	assert_int_equal(OFF(struct door_ioc_call, rbuf), 32);
	assert_int_equal(sizeof(struct door_ioc_return), 128);
	assert_int_equal(OFF(struct door_ioc_return, seq), 120);
	assert_int_equal(OFF(struct door_ioc_return, buf), 32);
	assert_int_equal(OFF(struct door_ioc_return, adesc_num), 88);
	assert_int_equal(OFF(struct door_ioc_return, inv_flags), 92);
	assert_int_equal(OFF(struct door_ioc_return, map_size), 112);
	assert_int_equal(sizeof(struct door_ioc_info), 32);
	assert_int_equal(sizeof(struct door_ioc_ucred), 48);
	assert_int_equal(OFF(struct door_ioc_ucred, groups_ptr), 32);
	assert_int_equal(sizeof(struct door_ioc_param), 16);
}

/* The Solaris constants the API promises. */
static void constants(void **state)
{
	(void)state;
	assert_int_equal(DOOR_UNREF, 0x01);
	assert_int_equal(DOOR_PRIVATE, 0x02);
	assert_int_equal(DOOR_UNREF_MULTI, 0x10);
	assert_int_equal(DOOR_REFUSE_DESC, 0x40);
	assert_int_equal(DOOR_NO_CANCEL, 0x80);
	assert_int_equal(DOOR_NO_DEPLETION_CB, 0x100);
	assert_int_equal(DOOR_LOCAL, 0x04);
	assert_int_equal(DOOR_REVOKED, 0x08);
	assert_int_equal(DOOR_IS_UNREF, 0x20);
	assert_int_equal(DOOR_PRIVCREATE, 0x200);
	assert_int_equal(DOOR_DEPLETION_CB, 0x400);
	/* illumos' masks (sys/door.h). */
	assert_int_equal(DOOR_CREATE_MASK, 0x3d3);
	assert_int_equal(DOOR_ATTR_MASK, 0x3ff);
	assert_int_equal(DOOR_DESCRIPTOR, 0x10000);
	assert_int_equal(DOOR_RELEASE, 0x40000);
	assert_int_equal(DOOR_INVAL, -1);
	assert_int_equal(DOOR_QUERY, -2);
	assert_ptr_equal(DOOR_UNREF_DATA, (void *)1);
	assert_int_equal(DOOR_PARAM_DESC_MAX, 1);
	assert_int_equal(DOOR_PARAM_DATA_MAX, 2);
	assert_int_equal(DOOR_PARAM_DATA_MIN, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(desc_matches_ioc_desc),
		cmocka_unit_test(door_info_layout),
		cmocka_unit_test(door_arg_and_cred_layout),
		cmocka_unit_test(ioctl_structs_layout),
		cmocka_unit_test(constants),
	};

	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
