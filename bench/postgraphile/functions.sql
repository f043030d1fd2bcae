-- What PostGraphile needs to serve the same city page as the hub: the city's trainees (the hub's
-- region filter: the city and its districts) and two computed columns. Installed into the bench
-- database only, never by the hub's migrations.
CREATE OR REPLACE FUNCTION public.city_trainees(city text) RETURNS SETOF public.trainee
LANGUAGE sql STABLE AS $$
  SELECT t.* FROM public.trainee t
  WHERE t.region_code IN (SELECT code FROM public.region WHERE code = city OR parent_code = city)
  ORDER BY t.id
$$;

CREATE OR REPLACE FUNCTION public.trainee_online_seconds(t public.trainee) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(s.duration_seconds), 0) FROM public.learning_session s
  WHERE s.trainee_id = t.id AND s.mode = 'online'
$$;

CREATE OR REPLACE FUNCTION public.trainee_last_session_at(t public.trainee) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT max(s.started_at) FROM public.learning_session s WHERE s.trainee_id = t.id
$$;
