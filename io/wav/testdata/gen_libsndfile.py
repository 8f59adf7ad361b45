#!/usr/bin/env python3
"""Writes the libsndfile-made WAV files in this folder (run once; the files are kept).

Each holds 64 frames of sin(2*pi*(f+1)*k/64) * 0.5 on channel f (k the frame), so the
Go test can check the samples, and metadata strings that libsndfile stores in a LIST
chunk. Needs only libsndfile.so.1 (ctypes, no Python package).
"""
import ctypes, math, os

sf = ctypes.CDLL("libsndfile.so.1")

class SFInfo(ctypes.Structure):
    _fields_ = [("frames", ctypes.c_int64), ("samplerate", ctypes.c_int),
                ("channels", ctypes.c_int), ("format", ctypes.c_int),
                ("sections", ctypes.c_int), ("seekable", ctypes.c_int)]

sf.sf_open.restype = ctypes.c_void_p
sf.sf_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(SFInfo)]
sf.sf_set_string.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p]
sf.sf_writef_float.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.c_int64]
sf.sf_close.argtypes = [ctypes.c_void_p]
sf.sf_strerror.restype = ctypes.c_char_p
sf.sf_strerror.argtypes = [ctypes.c_void_p]

SFM_WRITE = 0x20
WAV, WAVEX = 0x010000, 0x130000
PCM16, PCM24, PCM32, FLOAT = 0x0002, 0x0003, 0x0004, 0x0006
STR_TITLE, STR_SOFTWARE, STR_COMMENT = 0x01, 0x03, 0x05
FRAMES = 64

def write(name, fmt, channels, rate):
    info = SFInfo(0, rate, channels, fmt, 0, 0)
    h = sf.sf_open(name.encode(), SFM_WRITE, ctypes.byref(info))
    if not h:
        raise SystemExit(f"{name}: {sf.sf_strerror(None).decode()}")
    sf.sf_set_string(h, STR_TITLE, b"separatrix test tone")
    sf.sf_set_string(h, STR_SOFTWARE, b"gen_libsndfile.py")
    sf.sf_set_string(h, STR_COMMENT, b"odd-length comment")
    buf = (ctypes.c_float * (FRAMES * channels))()
    for k in range(FRAMES):
        for c in range(channels):
            buf[k * channels + c] = 0.5 * math.sin(2 * math.pi * (c + 1) * k / FRAMES)
    if sf.sf_writef_float(h, buf, FRAMES) != FRAMES:
        raise SystemExit(f"{name}: short write")
    sf.sf_close(h)

os.chdir(os.path.dirname(os.path.abspath(__file__)))
write("libsndfile_wav_pcm16_stereo.wav", WAV | PCM16, 2, 44100)
write("libsndfile_wavex_pcm24_stereo.wav", WAVEX | PCM24, 2, 48000)
write("libsndfile_wavex_pcm32_3ch.wav", WAVEX | PCM32, 3, 96000)
write("libsndfile_wav_float_mono.wav", WAV | FLOAT, 1, 48000)
write("libsndfile_wavex_float_stereo.wav", WAVEX | FLOAT, 2, 48000)
