// SPDX-License-Identifier: GPL-2.0
/*
 * klf_vmcheck: misbehaves on purpose when loaded, so that selftests/vm_harness.sh
 * can prove that tools/vm/run fails a run in which the kernel warned,
 * got a new taint bit or leaked memory, even though the command succeeded.
 * Never load it outside the test VM.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/panic.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *fault = "none";
module_param(fault, charp, 0400);
MODULE_PARM_DESC(fault, "what to do on load: none, warn, taint or leak");

static void *klf_vmcheck_leak;

static int __init klf_vmcheck_init(void)
{
	pr_info("loaded with fault=%s\n", fault);
	if (!strcmp(fault, "warn")) {
		WARN(1, "klf_vmcheck: deliberate warning\n");
	} else if (!strcmp(fault, "taint")) {
		add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	} else if (!strcmp(fault, "leak")) {
		/* allocated, then the only reference is dropped */
		klf_vmcheck_leak = kmalloc(512, GFP_KERNEL);
		klf_vmcheck_leak = NULL;
	} else if (strcmp(fault, "none")) {
		return -EINVAL;
	}
	return 0;
}

static void __exit klf_vmcheck_exit(void)
{
}

module_init(klf_vmcheck_init);
module_exit(klf_vmcheck_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klogfwd test VM self-check: deliberate kernel misbehaviour");
