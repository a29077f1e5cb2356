"""The simulator's text bank (`userloop simulate`): ordinary feedback of a phone fleet, negative
and not, the new complaint topic a bad build may carry, and the reasons given for returns.
Written for this project; plain English so the shipped triage models read them as users'
reports would be read."""

from __future__ import annotations

# Ordinary reports that are not complaints (rated 3 to 5 stars). Every build gets them alike.
ORDINARY = (
    "Battery lasts the whole day now, nice work",
    "The new launcher feels quicker than before",
    "Please add a way to schedule do not disturb by location",
    "Could you add a dark mode to the calculator",
    "Photos look sharper in daylight than on my old phone",
    "How do I move my contacts from the SIM card to the phone",
    "Love the new widgets on the home screen",
    "Would be great to have split screen for more apps",
    "Where can I turn off the keyboard vibration",
    "The fingerprint reader is fast and reliable",
    "Please let me hide apps from the app drawer",
    "Call quality is clear even on a weak signal",
    "It would help to see data usage per app on the lock screen",
    "The update went smoothly and everything still works",
    "Can the clock app get a sunrise alarm",
    "Charging is noticeably faster with the new cable",
)

# Ordinary complaints (rated 1 or 2 stars): the steady background every build has.
NEGATIVE = (
    "Battery drains overnight even when the phone is idle",
    "Bluetooth keeps disconnecting from my car stereo",
    "The phone gets very hot while charging",
    "Wifi drops several times an hour at home",
    "Notifications arrive late or not at all",
    "The screen brightness jumps around on its own",
    "Apps reload every time I switch between them",
    "GPS takes minutes to find my location",
    "The speaker crackles at high volume",
    "Mobile data stops working after a call until I restart",
)

# The new complaint topic of a bad build (`--complaint-share`): one problem, said many ways.
COMPLAINT = (
    "Since the update the microphone stops working during calls",
    "After updating, people cannot hear me on calls anymore",
    "Microphone goes silent in the middle of every phone call since the latest update",
    "The other person hears nothing after a minute of calling, started with this update",
    "Calls lose my voice after the update, the microphone cuts out",
    "New update broke the microphone in calls, I have to use a headset",
)

# Why devices came back (the RMA record's reason).
RETURN_REASONS = (
    "Screen flickers and goes black",
    "Battery swells and the back cover lifts",
    "Phone does not charge any more",
    "Touch screen does not respond in one corner",
    "Speaker stopped working",
    "Restarts by itself several times a day",
    "Camera shows only a black image",
    "Customer changed their mind within the return period",
)
