"""The initialisation lesson: Xavier and Kaiming on a real deep net."""
