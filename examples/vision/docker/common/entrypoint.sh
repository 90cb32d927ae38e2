#!/bin/sh
# Prints what this image is made of, then runs the app.
echo "vision $(cat /variant) on $(cat /arch)"
exec cat /opt/vision/src/vision/main.py
