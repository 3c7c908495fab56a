/*
 * module_main.c - main() of every module binary. Kept out of libdialtone.a so
 * that test programs, which bring their own main(), can link the library.
 */
#include "module.h"

int
main(int argc, char **argv)
{
	return module_main(&MODULE, argc, argv);
}
