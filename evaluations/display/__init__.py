"""The hall's big screen (叫号显示屏), mounted at /display/: pairing, the full-screen page
and the state it polls."""
