/* Shared declarations of realpolitik's optional C kernels (see build.py). */
#ifndef RP_NATIVE_H
#define RP_NATIVE_H

#include <stdint.h>

#ifdef _WIN32
#define RP_EXPORT __declspec(dllexport)
#else
#define RP_EXPORT __attribute__((visibility("default")))
#endif

#endif
