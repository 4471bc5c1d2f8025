/** A consumer of vconv's published module. */
module org.example.consumer {
  requires org.vconv;
}
