"""The pages the campaigns app draws beyond the admin's own: a campaign's home (`home`), its panels on "My work"
(`my_work`), the plan's timeline (`timeline`) and the file downloads (`views`)."""
