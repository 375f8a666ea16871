/*
 * migtrace's migration-test guest: a boot sector that does what QEMU's migration-test guest does
 * (tests/qtest/migration: one byte incremented in every 4 KiB page from 1 MiB to 100 MiB, in a
 * loop, a 'B' on the first serial port after each pass), written for migtrace. It switches to
 * 32-bit protected mode with flat segments so it can reach memory above 1 MiB.
 * Build: as --32 -o boot.o migration-test-boot.S && ld -m elf_i386 -Ttext 0x7c00 --oformat binary
 */
    .code16
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %ss
    mov $0x7c00, %sp
    /* fast A20 gate (port 0x92) */
    in $0x92, %al
    or $2, %al
    and $0xfe, %al
    out %al, $0x92
    lgdt gdt_desc
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmp $0x08, $protected

    .code32
protected:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7c00, %esp
pass:
    mov $0x100000, %eax          /* 1 MiB */
page:
    incb (%eax)
    add $0x1000, %eax
    cmp $0x6400000, %eax         /* 100 MiB */
    jb page
    mov $0x3f8, %dx              /* COM1: one 'B' per pass */
    mov $0x42, %al
    out %al, %dx
    jmp pass

    .p2align 3
gdt:
    .quad 0                      /* null */
    .quad 0x00cf9a000000ffff     /* 0x08: code, base 0, 4 GiB, 32-bit */
    .quad 0x00cf92000000ffff     /* 0x10: data, base 0, 4 GiB, 32-bit */
gdt_desc:
    .word gdt_desc - gdt - 1
    .long gdt

    .org 510
    .word 0xaa55
