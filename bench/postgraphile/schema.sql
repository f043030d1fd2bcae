-- What PostGraphile serves for bench/api_read.py: exactly the columns the three pages read, as
-- views in a schema of their own (pgl_bench), with smart tags for keys and relations. PostGraphile
-- introspects this schema only, so tables added to the hub's schema later cannot break it.
-- Installed into the bench database only, never by the hub's migrations.
DROP SCHEMA IF EXISTS pgl_bench CASCADE;
CREATE SCHEMA pgl_bench;

CREATE VIEW pgl_bench.trainee AS
  SELECT id, name, identity_category, region_code FROM public.trainee;
CREATE VIEW pgl_bench.training_class AS
  SELECT id, name, region_code, starts_on, ends_on FROM public.training_class;
CREATE VIEW pgl_bench.enrolment AS
  SELECT id, class_id, trainee_id FROM public.enrolment;
CREATE VIEW pgl_bench.learning_session AS
  SELECT id, trainee_id, class_id, started_at, duration_seconds, mode FROM public.learning_session;

COMMENT ON VIEW pgl_bench.trainee IS E'@primaryKey id';
COMMENT ON VIEW pgl_bench.training_class IS E'@primaryKey id';
COMMENT ON VIEW pgl_bench.enrolment IS E'@primaryKey id\n@foreignKey (class_id) references pgl_bench.training_class (id)|@fieldName trainingClass|@foreignFieldName enrolments\n@foreignKey (trainee_id) references pgl_bench.trainee (id)|@fieldName trainee|@foreignFieldName enrolments';
COMMENT ON VIEW pgl_bench.learning_session IS E'@primaryKey id\n@foreignKey (trainee_id) references pgl_bench.trainee (id)|@fieldName trainee|@foreignFieldName sessions';

-- The city page: the city's trainees (the hub's region filter: the city and its districts) and
-- two computed columns.
CREATE FUNCTION pgl_bench.city_trainees(city text) RETURNS SETOF pgl_bench.trainee
LANGUAGE sql STABLE AS $$
  SELECT t.* FROM pgl_bench.trainee t
  WHERE t.region_code IN (SELECT code FROM public.region WHERE code = city OR parent_code = city)
  ORDER BY t.id
$$;

CREATE FUNCTION pgl_bench.trainee_online_seconds(t pgl_bench.trainee) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(s.duration_seconds), 0) FROM public.learning_session s
  WHERE s.trainee_id = t.id AND s.mode = 'online'
$$;

CREATE FUNCTION pgl_bench.trainee_last_session_at(t pgl_bench.trainee) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT max(s.started_at) FROM public.learning_session s WHERE s.trainee_id = t.id
$$;
